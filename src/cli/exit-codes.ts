/** Exit codes shared by every command; documented in the README. */
export enum ExitCode {
  Ok = 0,
  Error = 1,
  Usage = 2,
  UpdateAvailable = 10,
  Exposed = 11,
  ChannelStale = 12,
  /** `run`: another run holds the run lock, and this one did nothing. */
  Busy = 13,
  RolledBack = 20,
  NeedsPerson = 21,
}
