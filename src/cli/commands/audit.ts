// omni audit [SESSION] [--json]: the access trail the caller may read.

import type { Command } from 'commander'
import type { AuditEntry } from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { printJsonLines, printTable, say } from '../output.ts'

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('the access trail you may read')
    .argument('[session]', 'only this session')
    .option('--json', 'print JSON')
    .option('--profile <name>', 'the profile to use')
    .action(
      async (
        session: string | undefined,
        options: ProfileOption & { json?: boolean },
      ) => {
        const { api } = signedInApi(options)
        const entries = await readWholeTrail((before) =>
          api.get<AuditEntry[]>(apiPaths.audit(session, before)),
        )

        if (options.json) return printJsonLines(entries)
        if (entries.length === 0) return say('No audit entries.')
        printTable(
          ['at', 'actor', 'action', 'target', 'detail'],
          entries.map((e) => [
            e.at,
            e.actor ?? '-',
            e.action,
            `${e.targetType} ${e.targetId}`,
            Object.keys(e.detail).length ? JSON.stringify(e.detail) : '',
          ]),
        )
      },
    )
}

/** The server answers a page at a time, newest last; read back to the
 * first entry so the whole trail prints, oldest first. */
export async function readWholeTrail(
  page: (before: number | undefined) => Promise<AuditEntry[]>,
): Promise<AuditEntry[]> {
  const pages: AuditEntry[][] = []
  let before: number | undefined
  for (;;) {
    const entries = await page(before)
    if (entries.length > 0) pages.unshift(entries)
    const first = entries[0]
    if (!first || (before !== undefined && first.id >= before)) break
    before = first.id
  }
  return pages.flat()
}
