// Bad input gets one clear sentence, the same everywhere: over-long fields
// name their limit, titles refuse control characters, and grants and the
// directory agree on what an email address is (trial finding 13).

import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  startAccessWorld,
  type Reply,
} from '../../src/server/server.test-support.ts'

type World = Awaited<ReturnType<typeof startAccessWorld>>

const invalid = (message: string): Reply => ({
  status: 400,
  body: { error: { code: 'invalid_input', message } },
})

const controlCharacters = 'title must not contain control characters.'

describe('input validation', () => {
  let world: World
  let id: string

  before(async () => {
    world = await startAccessWorld()
    id = await world.sharedSession('Plain title')
  })
  after(() => world?.server.close())

  const rename = (title: unknown) =>
    world.server.call(world.people.owner.web, 'PATCH', `/api/sessions/${id}`, {
      title,
    })

  const share = (email: string) =>
    world.server.call(
      world.people.owner.web,
      'PUT',
      `/api/sessions/${id}/grants`,
      { email, level: 'read' },
    )

  async function title(): Promise<string> {
    const detail = await world.server.call(
      world.people.owner.web,
      'GET',
      `/api/sessions/${id}`,
    )
    return detail.body.title
  }

  test('an over-long title, message or directory names its limit', async () => {
    const { server, people } = world

    assert.deepEqual(
      await rename('T'.repeat(100_000)),
      invalid('title must be at most 200 characters.'),
    )
    assert.deepEqual(
      await server.call(
        people.owner.web,
        'POST',
        `/api/sessions/${id}/messages`,
        { text: 'm'.repeat(100_001) },
      ),
      invalid('text must be at most 100000 characters.'),
    )
    assert.deepEqual(
      await server.call(people.owner.web, 'POST', '/api/sessions', {
        host: 'laptop',
        dir: `/${'d'.repeat(5000)}`,
      }),
      invalid('dir must be at most 4096 characters.'),
    )
    assert.equal(await title(), 'Plain title')
  })

  test('missing, empty and mistyped fields are named in a sentence', async () => {
    const { server, people } = world

    assert.deepEqual(await rename('   '), invalid('title must not be empty.'))
    assert.deepEqual(await rename(42), invalid('title must be a string.'))
    assert.deepEqual(
      await server.call(people.owner.web, 'PUT', `/api/sessions/${id}/grants`, {
        email: 'rita@example.com',
        level: 'admin',
      }),
      invalid('level must be one of: read, edit.'),
    )
    assert.deepEqual(
      await server.call(people.owner.web, 'PUT', `/api/sessions/${id}/grants`, {
        level: 'read',
      }),
      invalid('email is required.'),
    )
    assert.deepEqual(
      await server.call(people.owner.web, 'POST', '/api/sessions', {
        host: 'laptop',
        dir: 'relative/path',
      }),
      invalid('dir must be an absolute path on the host.'),
    )
  })

  test('a title with a control character is refused', async () => {
    for (const character of [
      '\x1b',
      '\x07',
      '\r',
      '\n',
      '\t',
      '\x00',
      '\x7f',
      '\x9b',
    ]) {
      assert.deepEqual(
        await rename(`evil${character}]0;pwned`),
        invalid(controlCharacters),
        JSON.stringify(character),
      )
    }
    assert.deepEqual(
      await world.server.call(world.people.owner.web, 'POST', '/api/sessions', {
        host: 'laptop',
        title: 'two\nlines',
      }),
      invalid(controlCharacters),
    )
    assert.equal(await title(), 'Plain title')
    assert.equal((await rename('Ünïcödé — fine 🚀')).status, 200)
  })

  // Regression: a 300-character folder name made a 311-character title,
  // and a folder name with a newline was refused as a title nobody gave.
  test('a title made from the dir keeps the title rules, and a bad dir is named as the dir', async () => {
    const { server, people } = world
    const create = (dir: string) =>
      server.call(people.owner.web, 'POST', '/api/sessions', {
        host: 'laptop',
        dir,
      })

    const long = await create(`/src/${'d'.repeat(300)}`)
    assert.equal(long.status, 201, JSON.stringify(long.body))
    assert.equal(long.body.title, `Session in ${'d'.repeat(188)}…`)
    assert.equal(long.body.title.length, 200)

    const wide = await create(`/src/x${'🚀'.repeat(150)}`)
    assert.equal(wide.status, 201, JSON.stringify(wide.body))
    // Cut between characters: never half of an emoji.
    assert.equal(wide.body.title, `Session in x${'🚀'.repeat(93)}…`)

    for (const character of ['\n', '\r', '\x1b', '\x9b']) {
      assert.deepEqual(
        await create(`/src/two${character}lines`),
        invalid('dir must not contain control characters.'),
        JSON.stringify(character),
      )
    }
  })

  test('an over-long or malformed email is refused with one sentence', async () => {
    assert.deepEqual(
      await share(`${'a'.repeat(5000)}@example.com`),
      invalid('An email address must be at most 254 characters.'),
    )
    assert.deepEqual(
      await share(`${'a'.repeat(65)}@example.com`),
      invalid('Enter a valid email address.'),
    )
    for (const email of ['not-an-email', 'a@b@example.com', 'a b@x.com']) {
      assert.deepEqual(
        await share(email),
        invalid('Enter a valid email address.'),
        email,
      )
    }
    const grants = await world.server.db
      .selectFrom('grants')
      .select('email')
      .where('session_id', '=', id)
      .execute()
    assert.deepEqual(grants.map((grant) => grant.email).sort(), [
      'eddie@example.com',
      'rita@example.com',
    ])
  })

  test('an address the directory takes can be shared with', async () => {
    const { server, people } = world
    const added = await server.call(people.admin.web, 'POST', '/api/users', {
      email: 'Böb@Exämple.com',
      password: 'bob password 12',
      admin: false,
    })
    assert.equal(added.status, 201, JSON.stringify(added.body))

    assert.deepEqual(await share('Böb@Exämple.com'), {
      status: 200,
      body: { email: 'böb@exämple.com', level: 'read' },
    })
  })
})
