// Loads one thing from the API for a page and lets the page reload it.

import { useCallback, useEffect, useState } from 'react'
import { asApiError, type ApiError } from './api-client.ts'

export interface Resource<T> {
  data: T | null
  error: ApiError | null
  loading: boolean
  reload: () => void
}

export function useResource<T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
): Resource<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<ApiError | null>(null)
  const [loading, setLoading] = useState(true)
  const [version, setVersion] = useState(0)

  useEffect(() => {
    let current = true
    setLoading(true)

    load().then(
      (value) => {
        if (!current) return
        setData(value)
        setError(null)
        setLoading(false)
      },
      (failure: unknown) => {
        if (!current) return
        setError(asApiError(failure))
        setLoading(false)
      },
    )

    return () => {
      current = false
    }
    // `load` is re-created each render; `deps` says when it changes meaning.
  }, [...deps, version])

  const reload = useCallback(() => setVersion((v) => v + 1), [])
  return { data, error, loading, reload }
}
