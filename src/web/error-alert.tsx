import type { ApiError } from './api-client.ts'

/** The server's own message for a failed request, where a reader sees it. */
export function ErrorAlert({ error }: { error: ApiError | null }) {
  if (!error) return null
  return (
    <p className="alert" role="alert" data-code={error.code}>
      {error.message}
    </p>
  )
}
