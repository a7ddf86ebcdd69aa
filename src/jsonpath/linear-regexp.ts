// Regular expressions that cannot backtrack for minutes: the only ones a template can hold are in jsonpath-plus
// filters (`[?(@.name.match(/(a+)+$/) && @.x)]`), and a probe's deadline cannot interrupt one running regexp.
import { setFlagsFromString } from 'node:v8';

// V8 re-runs a regexp on its linear-time engine once it has backtracked more than
// --regexp-backtracks-before-fallback (50,000) times. Measured: /^(a+)+$/ on 'a'×30+'b' takes minutes by default
// and 2 ms with this flag, on the main thread and in workers (the flag is process-wide, read at each execution).
// Regexps the linear engine cannot run (backreferences, lookaround) still backtrack: modules with jsonpath-plus
// filters therefore always run in the worker pool, whose watchdog replaces a worker stuck past the deadline.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
