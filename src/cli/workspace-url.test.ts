import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CliError } from './cli-error.ts'
import { canonicalWorkspaceUrl } from './workspace-url.ts'

describe('canonicalWorkspaceUrl', () => {
  const cases: [string, string][] = [
    ['https://Omni.Example.COM', 'https://omni.example.com'],
    ['HTTPS://omni.example.com/', 'https://omni.example.com'],
    ['https://omni.example.com:443', 'https://omni.example.com'],
    ['https://omni.example.com:8443/', 'https://omni.example.com:8443'],
    ['https://example.com/Omni//', 'https://example.com/Omni'],
    ['http://127.0.0.1:6767/', 'http://127.0.0.1:6767'],
    ['http://LOCALHOST:80', 'http://localhost'],
    ['HTTP://LocalHost:80/', 'http://localhost'],
    ['http://127.8.9.10:5000', 'http://127.8.9.10:5000'],
    ['http://[::1]:6767', 'http://[::1]:6767'],
    ['  https://omni.example.com  ', 'https://omni.example.com'],
  ]
  for (const [input, expected] of cases) {
    it(`writes ${JSON.stringify(input)} as ${expected}`, () => {
      assert.equal(canonicalWorkspaceUrl(input), expected)
    })
  }

  const errors: [string, RegExp][] = [
    [
      'omni.example.com',
      /^That is not a workspace URL; use one like https:\/\/omni\.example\.com or http:\/\/127\.0\.0\.1:6767\.$/,
    ],
    [
      'ftp://omni.example.com',
      /^A workspace URL uses https \(or http on this machine\), not ftp:, such as https:\/\/omni\.example\.com\.$/,
    ],
    [
      'http://omni.example.com',
      /Plain http is allowed only for this machine; use https:\/\/omni.example.com\./,
    ],
    ['http://128.0.0.1', /Plain http is allowed only for this machine/],
    [
      'http://localhost.evil.com',
      /Plain http is allowed only for this machine/,
    ],
    ['https://omni.example.com/?a=1', /has no query or fragment/],
    ['https://omni.example.com/#top', /has no query or fragment/],
    [
      'https://bob:pw@omni.example.com',
      /must not contain a user name or password/,
    ],
    ['https://', /is not a valid URL/],
  ]
  for (const [input, message] of errors) {
    it(`refuses ${JSON.stringify(input)} as a usage error`, () => {
      assert.throws(
        () => canonicalWorkspaceUrl(input),
        (error: unknown) =>
          error instanceof CliError &&
          error.exitCode === 2 &&
          message.test(error.message),
      )
    })
  }

  it('never repeats a password from the URL in its error', () => {
    assert.throws(
      () => canonicalWorkspaceUrl('https://bob:s3cret@omni.example.com'),
      (error: unknown) =>
        error instanceof CliError && !error.message.includes('s3cret'),
    )
  })
})
