// One-line names people give things (a session's title) are shown in
// terminals and tables. A control character there could clear a screen,
// retitle a window or forge a line (C0, DEL and C1, where ESC and CSI start
// terminal escape sequences, ECMA-48 §5), so such names refuse them.

const controlCharacter = /\p{Cc}/u

export function hasControlCharacter(text: string): boolean {
  return controlCharacter.test(text)
}
