// What every page needs: the API client and who is signed in.

import { createContext, useContext } from 'react'
import type { Me } from '../protocol/api.ts'
import type { ApiClient } from './api-client.ts'

export interface AppContextValue {
  api: ApiClient
  me: Me
  /** Asks the server again who we are and whether Omnigent is enabled. */
  refreshMe: () => void
}

export const AppContext = createContext<AppContextValue | null>(null)

export function useApp(): AppContextValue {
  const value = useContext(AppContext)
  if (!value) throw new Error('useApp is used outside <AppContext>')
  return value
}
