// The worker thread of basic-auth.ts: one bcrypt comparison per task, so bcrypt's deliberate slowness (~70 ms at
// cost 10 in pure JS) never runs on the thread that serves /metrics and /probe.
import bcrypt from 'bcryptjs';

export interface BcryptTask {
  readonly password: string;
  readonly hash: string;
}

export default function compare(task: BcryptTask): boolean {
  return bcrypt.compareSync(task.password, task.hash);
}
