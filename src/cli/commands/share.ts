// omni share SESSION EMAIL --read | --edit [--yes]
// omni unshare SESSION EMAIL
// omni leave SESSION

import { Option, type Command } from 'commander'
import { editWarning, type PutGrant } from '../../protocol/api.ts'
import { apiPaths } from '../api-client.ts'
import { CliError, usageError } from '../cli-error.ts'
import { signedInApi, type ProfileOption } from '../context.ts'
import { note, say } from '../output.ts'
import { confirm, stdinIsTty } from '../prompt.ts'

interface ShareOptions extends ProfileOption {
  read?: boolean
  edit?: boolean
  yes?: boolean
}

export function registerShare(program: Command): void {
  program
    .command('share')
    .description('share a session with a workspace member')
    .argument('<session>', 'session id')
    .argument('<email>', "the person's workspace email")
    .addOption(new Option('--read', 'they can follow it').conflicts('edit'))
    .addOption(
      new Option('--edit', 'they can also send messages').conflicts('read'),
    )
    .option('--yes', 'grant Edit without asking (the warning is still shown)')
    .option('--profile <name>', 'the profile to use')
    .action(async (id: string, email: string, options: ShareOptions) => {
      if (!options.read && !options.edit) {
        throw usageError('Say which access to give: --read or --edit.')
      }
      const grant: PutGrant = {
        email: checkEmail(email),
        level: options.edit ? 'edit' : 'read',
      }
      const { api } = signedInApi(options)

      if (grant.level === 'edit') {
        note(editWarning)
        const ask = stdinIsTty() && !options.yes
        if (ask && !(await confirm(`Grant Edit on ${id} to ${grant.email}?`))) {
          throw new CliError('Not shared.')
        }
      }

      await api.put(apiPaths.grants(id), grant)
      say(`Shared ${id} with ${grant.email} (${grant.level}).`)
    })

  program
    .command('unshare')
    .description("remove a person's access to a session")
    .argument('<session>', 'session id')
    .argument('<email>', "the person's workspace email")
    .option('--profile <name>', 'the profile to use')
    .action(async (id: string, email: string, options: ProfileOption) => {
      const address = checkEmail(email)
      const { api } = signedInApi(options)
      await api.delete(apiPaths.grant(id, address))
      say(`${address} no longer has access to ${id}.`)
    })

  // A collaborator gives their own access back; only the owner can take
  // someone else's (unshare), and the owner's cannot end.
  program
    .command('leave')
    .description('give up your access to a session shared with you')
    .argument('<session>', 'session id')
    .option('--profile <name>', 'the profile to use')
    .action(async (id: string, options: ProfileOption) => {
      const { api } = signedInApi(options)
      await api.post(apiPaths.leave(id))
      say(`You left ${id}; you no longer have access to it.`)
    })
}

/** Sharing is by workspace email, matched without regard to case. */
export function checkEmail(text: string): string {
  const email = text.trim().toLowerCase()
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    throw usageError(`"${text}" is not an email address.`)
  }
  return email
}
