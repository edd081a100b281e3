import type { MouseEvent, ReactNode } from 'react'
import { navigate } from './navigation.ts'

/** An ordinary link that changes page without reloading; a modified click
 * (new tab, new window) is left to the browser. */
export function Link(props: {
  to: string
  children: ReactNode
  className?: string
}) {
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    if (event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return
    }

    event.preventDefault()
    navigate(props.to)
  }

  return (
    <a href={props.to} className={props.className} onClick={onClick}>
      {props.children}
    </a>
  )
}
