// Which model the agent talks to. The settings come from the host's
// environment only, so model credentials never leave the host.

export interface ModelSettings {
  baseUrl: string
  model: string
  apiKey: string
}

export const defaultModel = 'gpt-4o-mini'

export const noModelMessage =
  'No model is configured on this host: set OMNI_MODEL_BASE_URL, OMNI_MODEL and OMNI_MODEL_API_KEY'

/** Null when no endpoint is configured; the host then answers every turn
 * with `noModelMessage` instead of failing to start. */
export function modelSettingsFromEnv(
  env: NodeJS.ProcessEnv,
): ModelSettings | null {
  const baseUrl = env.OMNI_MODEL_BASE_URL?.trim()
  if (!baseUrl) return null

  return {
    baseUrl,
    model: env.OMNI_MODEL?.trim() || defaultModel,
    // Local servers (Ollama, vLLM) accept any key, but the SDK needs one.
    apiKey: env.OMNI_MODEL_API_KEY ?? '',
  }
}
