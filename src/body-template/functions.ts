// The body template's function catalog: what is supported (one list, for docs and checks) and why the rest is not.
import type { TemplateFunction } from './arguments.js';
import { BUILTIN_FUNCTIONS, SHORT_CIRCUIT_FUNCTIONS } from './builtins.js';
import { SPRIG_FUNCTIONS } from './sprig.js';

/** Every function a body template may call, sorted: Go's text/template builtins and the Sprig subset. */
export const BODY_TEMPLATE_FUNCTIONS: readonly string[] = Object.freeze(
  [...Object.keys(BUILTIN_FUNCTIONS), ...SHORT_CIRCUIT_FUNCTIONS, ...Object.keys(SPRIG_FUNCTIONS)].sort(),
);

/** Functions json_exporter would run but this exporter refuses on purpose, with the reason. */
export const REJECTED_BODY_TEMPLATE_FUNCTIONS: Readonly<Record<string, string>> = Object.freeze({
  env: "it would copy the exporter's environment (often secrets) into requests",
  expandenv: "it would copy the exporter's environment (often secrets) into requests",
  getHostByName: 'it does DNS lookups while rendering a request body',
});

// Sprig v3 functions outside the subset, named so the message can say "not implemented" rather than "unknown".
const OTHER_SPRIG_FUNCTIONS = new Set(
  `abbrev abbrevboth add1f addf adler32sum ago all any append b32dec b32enc base bcrypt
biggest buildCustomCert camelcase cat ceil chunk clean coalesce compact concat date_in_zone date_modify dateInZone
dateModify decryptAES deepCopy deepEqual derivePassword dict dig dir divf durationRound encryptAES ext fail float64
floor fromJson genCA genCAWithKey genPrivateKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert
genSignedCertWithKey get has hasKey hello htmlDate htmlDateInZone htpasswd indent initial initials isAbs kebabcase keys
kindIs kindOf list max maxf merge mergeOverwrite min minf mulf must_date_modify mustAppend mustChunk mustCompact
mustDateModify mustDeepCopy mustFirst mustFromJson mustHas mustInitial mustLast mustMerge mustMergeOverwrite
mustPrepend mustPush mustRegexFind mustRegexFindAll mustRegexMatch mustRegexReplaceAll mustRegexReplaceAllLiteral
mustRegexSplit mustRest mustReverse mustSlice mustToDate mustToJson mustToPrettyJson mustToRawJson mustUniq
mustWithout nindent nospace omit osBase osClean osDir osExt osIsAbs pick plural pluck prepend push randAlpha randAscii
randBytes randNumeric regexFind regexFindAll regexMatch regexQuoteMeta regexReplaceAll regexReplaceAllLiteral
regexSplit rest reverse round semver semverCompare seq set sha1sum sha256sum sha512sum shuffle slice snakecase
sortAlpha split splitList splitn substr subf swapcase ternary title toDate toDecimal toPrettyJson toRawJson toStrings
trimAll trimall tuple typeIs typeIsLike typeOf uniq unset untitle until untilStep urlJoin urlParse values without wrap
wrapWith call html js slice`.split(/\s+/),
);

const SUPPORTED = new Set(BODY_TEMPLATE_FUNCTIONS);
// A Map, not the records: a template naming `toString` or `constructor` must not reach Object.prototype.
const IMPLEMENTATIONS = new Map<string, TemplateFunction>([
  ...Object.entries(BUILTIN_FUNCTIONS),
  ...Object.entries(SPRIG_FUNCTIONS),
]);

export function lookupFunction(name: string): TemplateFunction | undefined {
  return IMPLEMENTATIONS.get(name);
}

/** undefined when `name` is supported; otherwise the message for the user, naming it and listing what is supported. */
export function functionRejection(name: string): string | undefined {
  if (SUPPORTED.has(name)) return undefined;
  const supported = `supported functions: ${BODY_TEMPLATE_FUNCTIONS.join(', ')}`;
  const reason = Object.hasOwn(REJECTED_BODY_TEMPLATE_FUNCTIONS, name)
    ? REJECTED_BODY_TEMPLATE_FUNCTIONS[name]
    : undefined;
  if (reason !== undefined) return `function "${name}" is not allowed: ${reason}; ${supported}`;
  if (OTHER_SPRIG_FUNCTIONS.has(name))
    return `function "${name}" is not supported (a Sprig or Go template function outside this exporter's subset); ${supported}`;
  return `function "${name}" not defined; ${supported}`;
}
