import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { runCli } from '../../test/support/processes.ts'
import { redactedConfig, resolveServerConfig } from '../server/server-config.ts'
import {
  redactedIdentityConfig,
  resolveIdentityConfig,
} from './identity-config.ts'

const publicUrl = 'https://omni.example.com'
const dir = mkdtempSync(join(tmpdir(), 'omni-config-'))
const secretFile = join(dir, 'client-secret')
writeFileSync(secretFile, 'a-client-secret-from-a-file\n')

const workspace = {
  issuer: 'https://example.okta.com/oauth2/default',
  clientId: 'omni-web',
  clientSecretFile: secretFile,
  scopes: ['openid', 'email', 'groups'],
  cliClientId: 'omni-cli',
}

const resolve = (file: unknown, env: Record<string, string> = {}) =>
  resolveIdentityConfig({ file, env, publicUrl })

describe('identity settings', () => {
  test('no settings mean the built-in workspace', () => {
    assert.deepEqual(resolve(undefined), {
      external: undefined,
      proxy: undefined,
      builtinClients: [],
    })
  })

  test('an external issuer takes defaults for the claims and audience', () => {
    const { external } = resolve({ workspace })

    assert.deepEqual(external, {
      issuer: workspace.issuer,
      clientId: 'omni-web',
      clientSecret: 'a-client-secret-from-a-file',
      scopes: ['openid', 'email', 'groups'],
      apiAudience: `${publicUrl}/api`,
      cliClientId: 'omni-cli',
      claims: {
        emailClaim: 'email',
        emailClaimTrusted: false,
        groupsClaim: 'groups',
        adminGroup: 'admins',
      },
    })
  })

  test('environment variables fill and override the file', () => {
    const { external } = resolve(
      { workspace: { ...workspace, clientSecretFile: undefined } },
      {
        OMNI_OIDC_CLIENT_SECRET: 'secret-from-env',
        OMNI_OIDC_SCOPES: 'openid email profile',
        OMNI_OIDC_ADMIN_GROUP: 'omni-admins',
        OMNI_OIDC_API_AUDIENCE: 'api://omnigent',
      },
    )

    assert.equal(external?.clientSecret, 'secret-from-env')
    assert.deepEqual(external?.scopes, ['openid', 'email', 'profile'])
    assert.equal(external?.claims.adminGroup, 'omni-admins')
    assert.equal(external?.apiAudience, 'api://omnigent')
  })

  test('the whole external set-up can come from the environment', () => {
    const { external } = resolve(undefined, {
      OMNI_OIDC_ISSUER: 'https://accounts.google.com',
      OMNI_OIDC_CLIENT_ID: 'web',
      OMNI_OIDC_CLIENT_SECRET: 'secret-from-env',
      OMNI_OIDC_SCOPES: 'openid email',
      OMNI_OIDC_CLI_CLIENT_ID: 'cli',
    })
    assert.equal(external?.issuer, 'https://accounts.google.com')
  })

  const refusals: Array<[string, unknown, Record<string, string>, string]> = [
    [
      'an unknown setting in the file',
      { workspace: { ...workspace, emailclaim: 'email' } },
      {},
      'Invalid setting workspace.emailclaim: unknown setting',
    ],
    [
      'an unknown section',
      { workspaces: {} },
      {},
      'Invalid setting workspaces: unknown setting',
    ],
    [
      'an unknown variable',
      undefined,
      { OMNI_OIDC_ISSUER_URL: 'https://x.example' },
      'Invalid setting OMNI_OIDC_ISSUER_URL: unknown setting',
    ],
    [
      'a client secret written in the file',
      { workspace: { ...workspace, clientSecret: 'inline' } },
      {},
      'Invalid setting workspace.clientSecret: secrets are not read from the config file; use workspace.clientSecretFile or OMNI_OIDC_CLIENT_SECRET',
    ],
    [
      'a missing client secret',
      { workspace: { ...workspace, clientSecretFile: undefined } },
      {},
      'Invalid setting workspace.clientSecretFile (or OMNI_OIDC_CLIENT_SECRET): is required',
    ],
    [
      'an unreadable secret file',
      { workspace: { ...workspace, clientSecretFile: join(dir, 'none') } },
      {},
      `Invalid setting workspace.clientSecretFile (or OMNI_OIDC_CLIENT_SECRET): cannot read ${join(dir, 'none')} (ENOENT)`,
    ],
    [
      'a plain-http issuer off this machine',
      { workspace: { ...workspace, issuer: 'http://idp.example.com' } },
      {},
      'Invalid setting workspace.issuer: must use https (plain http only for a loopback issuer)',
    ],
    [
      'a missing CLI client id',
      { workspace: { ...workspace, cliClientId: undefined } },
      {},
      'Invalid setting workspace.cliClientId: Invalid input: expected string, received undefined',
    ],
    [
      'another email claim without its own trust setting',
      { workspace: { ...workspace, emailClaim: 'preferred_username' } },
      {},
      'Invalid setting workspace.emailClaim: "preferred_username" has no email_verified beside it; set workspace.trustEmailClaim to true if the issuer guarantees it',
    ],
    [
      'trusting the email claim itself',
      { workspace: { ...workspace, trustEmailClaim: true } },
      {},
      'Invalid setting workspace.trustEmailClaim: "email" is always checked against email_verified; name another claim in workspace.emailClaim to trust it instead',
    ],
    [
      'a flag that is not true or false',
      { workspace },
      { OMNI_OIDC_TRUST_EMAIL_CLAIM: 'yes' },
      'Invalid setting OMNI_OIDC_TRUST_EMAIL_CLAIM: must be true or false',
    ],
    [
      'a proxy with neither addresses nor a secret',
      { proxy: {} },
      {},
      'Invalid setting proxy: name the proxy in proxy.trustedAddresses or give proxy.sharedSecretFile (or OMNI_PROXY_SECRET); otherwise anyone could send identity headers',
    ],
    [
      'a proxy address that is not one',
      { proxy: { trustedAddresses: ['10.0.0.0/40'] } },
      {},
      'Invalid setting proxy.trustedAddresses: "10.0.0.0/40" is not an IP address or CIDR range',
    ],
    [
      'a short proxy secret',
      { proxy: {} },
      { OMNI_PROXY_SECRET: 'short' },
      'Invalid setting proxy.sharedSecretFile (or OMNI_PROXY_SECRET): must be at least 16 characters',
    ],
  ]
  for (const [what, file, env, message] of refusals) {
    test(`start-up fails naming the setting: ${what}`, () => {
      assert.throws(() => resolve(file, env), { message })
    })
  }

  test('the proxy takes header names, addresses and a secret', () => {
    const { proxy } = resolve(
      { proxy: { trustedAddresses: ['10.0.0.0/8'], groupsHeader: 'X-Groups' } },
      { OMNI_PROXY_SECRET: 'a-long-enough-proxy-secret' },
    )
    assert.equal(proxy?.groupsHeader, 'x-groups')
    assert.equal(proxy?.emailHeader, 'x-forwarded-email')
    assert.equal(proxy?.sharedSecret, 'a-long-enough-proxy-secret')
    assert.equal(proxy?.issuer, `${publicUrl}/proxy`)
  })

  test('what is logged holds no secret', () => {
    const config = resolve(
      { workspace, proxy: { trustedAddresses: ['10.0.0.0/8'] } },
      { OMNI_PROXY_SECRET: 'a-long-enough-proxy-secret' },
    )
    const logged = JSON.stringify(redactedIdentityConfig(config))

    assert.equal(logged.includes('a-client-secret-from-a-file'), false)
    assert.equal(logged.includes('a-long-enough-proxy-secret'), false)
    assert.match(logged, /"clientSecret":"\[redacted\]"/)
  })
})

describe('the server’s config file', () => {
  const write = (content: unknown) => {
    const path = join(dir, `config-${Math.random()}.json`)
    writeFileSync(path, JSON.stringify(content))
    return path
  }
  const options = (configFile: string) => ({
    port: 0,
    dataDir: dir,
    configFile,
    env: {},
  })

  test('sets the public URL and the workspace issuer', () => {
    const file = write({ publicUrl, workspace })
    const config = resolveServerConfig(options(file))

    assert.equal(config.publicUrl, publicUrl)
    assert.equal(config.identity.external?.issuer, workspace.issuer)
    const logged = JSON.stringify(redactedConfig(config))
    assert.equal(logged.includes('a-client-secret-from-a-file'), false)
  })

  test('refuses an unknown setting, naming it', () => {
    const file = write({ publicURL: publicUrl })
    assert.throws(() => resolveServerConfig(options(file)), {
      message: 'Invalid setting publicURL: unknown setting',
    })
  })

  test('refuses a file that is not JSON or not there', () => {
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{ nope')
    assert.throws(() => resolveServerConfig(options(broken)), {
      message: `--config ${broken} is not valid JSON`,
    })
    const missing = join(dir, 'missing.json')
    assert.throws(() => resolveServerConfig(options(missing)), {
      message: `--config ${missing} cannot be read (ENOENT)`,
    })
  })
})

describe('omni server --config', () => {
  test('a misconfigured server stops at start-up, naming the setting', async () => {
    const file = join(dir, 'typo.json')
    writeFileSync(
      file,
      JSON.stringify({ workspace: { ...workspace, issuerUrl: 'x' } }),
    )
    const home = mkdtempSync(join(tmpdir(), 'omni-config-home-'))

    const result = await runCli(
      [
        'server',
        '--port',
        '1',
        '--data-dir',
        join(home, 'data'),
        '--config',
        file,
      ],
      { OMNI_HOME: home },
    )

    assert.notEqual(result.code, 0)
    assert.match(
      result.stderr,
      /The server did not start: Invalid setting workspace\.issuerUrl: unknown setting/,
    )
    assert.equal(result.stderr.includes('a-client-secret-from-a-file'), false)
  })
})
