// systemd socket activation (--web.systemd-socket): the listening sockets systemd passes as fds 3, 4, ….
import { SystemdSocketError } from './errors.js';

/** The first fd systemd passes (sd_listen_fds(3): SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

/**
 * The fds systemd passed to this process, as go-systemd's activation.Files reads them: LISTEN_PID must be this
 * process (the variables were meant for us) and LISTEN_FDS says how many follow fd 3.
 */
export function systemdListenFds(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): number[] {
  if (process.platform !== 'linux') throw new SystemdSocketError('socket activation works on Linux only');
  const { LISTEN_PID: listenPid, LISTEN_FDS: listenFds } = env;
  if (listenPid === undefined || listenFds === undefined) {
    throw new SystemdSocketError('systemd passed no sockets (LISTEN_PID and LISTEN_FDS are not set)');
  }
  if (Number(listenPid) !== pid) {
    throw new SystemdSocketError(`LISTEN_PID is ${listenPid}, not this process (${pid}): the sockets are not ours`);
  }
  const count = Number(listenFds);
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new SystemdSocketError(`LISTEN_FDS is ${JSON.stringify(listenFds)}, not a number of sockets ≥ 1`);
  }
  return Array.from({ length: count }, (_, i) => FIRST_FD + i);
}
