import { useId, type ReactNode } from 'react'

/** A label tied to its control by id, so the control's accessible name is
 * exactly the label text (a wrapping label would add a select's value). */
export function Field(props: {
  label: string
  children: (id: string) => ReactNode
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id)}
    </div>
  )
}
