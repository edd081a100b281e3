import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'

import { findTool, tools } from './index.ts'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'omni-tools-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function run(name: string, args: Record<string, unknown>) {
  const tool = findTool(name)
  assert.ok(tool, `no tool ${name}`)
  return tool.run(args, { dir, signal: new AbortController().signal })
}

describe('tools', () => {
  it('each declares an object schema naming its required arguments', () => {
    for (const tool of tools) {
      const {
        type,
        properties,
        required = [],
      } = tool.parameters as {
        type: string
        properties: Record<string, unknown>
        required?: string[]
      }
      assert.equal(type, 'object', tool.name)
      for (const name of required) assert.ok(name in properties, tool.name)
      assert.ok(tool.description.length > 20, tool.name)
    }
  })

  it('read_file reads relative and absolute paths and describes binary files', async () => {
    await writeFile(join(dir, 'a.txt'), 'alpha\n')
    await writeFile(join(dir, 'b.bin'), Buffer.from([1, 0, 2]))

    assert.deepEqual(await run('read_file', { path: 'a.txt' }), {
      output: 'alpha\n',
      isError: false,
    })
    assert.deepEqual(await run('read_file', { path: join(dir, 'a.txt') }), {
      output: 'alpha\n',
      isError: false,
    })
    assert.deepEqual(await run('read_file', { path: 'b.bin' }), {
      output: `${join(dir, 'b.bin')} is a binary file (3 bytes).`,
      isError: false,
    })
    await assert.rejects(run('read_file', { path: '.' }), {
      name: 'ToolError',
      message: `${dir} is a directory; use list_files.`,
    })
    await assert.rejects(run('read_file', {}), {
      name: 'ToolError',
      message: 'The argument "path" must be a string.',
    })
  })

  it('write_file creates missing parent directories', async () => {
    const result = await run('write_file', {
      path: 'x/y/z.txt',
      content: 'zed',
    })

    assert.deepEqual(result, {
      output: `Wrote 3 bytes to ${join(dir, 'x/y/z.txt')}.`,
      isError: false,
    })
    assert.equal(await readFile(join(dir, 'x/y/z.txt'), 'utf8'), 'zed')
  })

  it('edit_file replaces a snippet that occurs once and refuses an ambiguous one', async () => {
    await writeFile(join(dir, 'c.ts'), 'let a = 1\nlet b = 1\n')

    assert.deepEqual(
      await run('edit_file', {
        path: 'c.ts',
        old_text: 'a = 1',
        new_text: 'a = $&2',
      }),
      {
        output: `Edited ${join(dir, 'c.ts')}.`,
        isError: false,
      },
    )
    assert.equal(
      await readFile(join(dir, 'c.ts'), 'utf8'),
      'let a = $&2\nlet b = 1\n',
    )
    await assert.rejects(
      run('edit_file', { path: 'c.ts', old_text: '= ', new_text: '=' }),
      {
        name: 'ToolError',
        message: `old_text occurs 2 times in ${join(dir, 'c.ts')}; it must occur exactly once.`,
      },
    )
  })

  it('list_files lists a directory with folders marked', async () => {
    await mkdir(join(dir, 'src'))
    await writeFile(join(dir, 'README.md'), '')

    assert.deepEqual(await run('list_files', {}), {
      output: 'README.md\nsrc/',
      isError: false,
    })
    assert.deepEqual(await run('list_files', { path: 'src' }), {
      output: `${join(dir, 'src')} is empty.`,
      isError: false,
    })
  })

  it('search_files finds lines under the directory and skips node_modules', async () => {
    await mkdir(join(dir, 'src'))
    await mkdir(join(dir, 'node_modules'))
    await writeFile(join(dir, 'src/a.ts'), 'one\nconst needle = 1\n')
    await writeFile(join(dir, 'node_modules/b.js'), 'needle\n')

    assert.deepEqual(await run('search_files', { query: 'needle' }), {
      output: 'src/a.ts:2: const needle = 1',
      isError: false,
    })
    assert.deepEqual(await run('search_files', { query: 'haystack' }), {
      output: 'No match for "haystack".',
      isError: false,
    })
  })

  it('run_command kills a command that outlives its timeout', async () => {
    const started = Date.now()
    const result = await run('run_command', {
      command: 'echo start; sleep 20',
      timeout_seconds: 0.3,
    })

    assert.deepEqual(result, {
      output: 'start\n[killed after the 0.3 s timeout]',
      isError: true,
    })
    assert.ok(Date.now() - started < 3000)
  })

  it('run_command does not pass the host model key to commands', async () => {
    process.env.OMNI_MODEL_API_KEY = 'sk-must-not-leak'
    try {
      const result = await run('run_command', {
        command: 'echo "key=${OMNI_MODEL_API_KEY:-none}"',
      })
      assert.deepEqual(result, {
        output: 'key=none\n[exit code 0]',
        isError: false,
      })
    } finally {
      delete process.env.OMNI_MODEL_API_KEY
    }
  })
})
