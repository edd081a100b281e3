import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { modelSettingsFromEnv } from './model-settings.ts'

describe('modelSettingsFromEnv', () => {
  it('reads the endpoint, model and key', () => {
    const settings = modelSettingsFromEnv({
      OMNI_MODEL_BASE_URL: 'http://127.0.0.1:11434/v1',
      OMNI_MODEL: 'qwen2.5-coder',
      OMNI_MODEL_API_KEY: 'sk-local',
    })

    assert.deepEqual(settings, {
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'qwen2.5-coder',
      apiKey: 'sk-local',
    })
  })

  it('defaults the model and allows a missing key', () => {
    const settings = modelSettingsFromEnv({
      OMNI_MODEL_BASE_URL: 'https://api.openai.com/v1',
    })

    assert.deepEqual(settings, {
      baseUrl: 'https://api.openai.com/v1',
      model: 'gpt-4o-mini',
      apiKey: '',
    })
  })

  it('is null without a base URL', () => {
    assert.equal(
      modelSettingsFromEnv({ OMNI_MODEL: 'x', OMNI_MODEL_API_KEY: 'k' }),
      null,
    )
    assert.equal(modelSettingsFromEnv({ OMNI_MODEL_BASE_URL: '  ' }), null)
  })
})
