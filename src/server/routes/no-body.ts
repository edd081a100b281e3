// Routes that take no body still refuse one with fields in it: a client
// that sends `author` or `owner` learns at once that nothing reads them.

import { z } from 'zod'

export const noBody = z.union([z.undefined(), z.null(), z.object({}).strict()])
