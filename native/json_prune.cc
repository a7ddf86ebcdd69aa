// A JSON body pruned to the keys a module's paths read, validated as V8's JSON.parse validates it (Node-API addon).
//
// Why hand-written: JSON.parse builds every object and string of a body, and an SRS stream object carries ~20 keys of
// which a module reads ~6; the parse is the largest single cost of a fleet scrape (bench/README.md, issue 15). No
// library we found copies a projection of a document verbatim while accepting exactly what JSON.parse accepts:
// simdjson's DOM re-prints numbers and refuses some JSON.parse takes (1e400), its On-Demand API does not validate
// what it skips, and the simdjson binding builds JS objects through Node-API calls, 2.1–3.4× slower than JSON.parse
// (bench:parse). This scanner validates the whole grammar and copies kept bytes as they are, so JSON.parse of its
// output gives the same values for every key kept. Measured in bench/README.md ("The native JSON pruner"): the pruned
// parse takes 0.40–0.51× the time of JSON.parse on SRS bodies of 2 KB to 1 MB.
//
// prune(input, program, output) → length written to output, or -1 (not JSON: the caller parses the original to get
// JSON.parse's own error), -2 (nests deeper than the limit: the caller's own check reports it) or -3 (a program it
// cannot read). UTF-8 is not checked here (the caller validates the body's bytes; bytes ≥ 0x80 pass through).
//
// The program (built by src/extract/json-projection.ts) is a list of nodes; a node is
//   u8 kind (0 = keep the value whole, 1 = keep only the listed keys of objects, arrays' elements each the same way)
//   u16 count, u64 filter (bit (length × 7 + first byte) mod 64 of each key), then count × (u16 key length, key bytes
//   as they appear between the quotes, u32 offset of the child); little-endian.
// A member whose key has an escape is kept whole (harmless: a kept key no path reads changes nothing).
#include <node_api.h>

#include "typed_bytes.h"

#include <cstdint>
#include <cstring>

namespace {

constexpr int kMaxDepth = 10000;
// A node's header: kind, count, the 64-bit filter of its keys (see key_bit).
constexpr size_t kNodeHeader = 11;

// Cursors are local pointers, not members: stores through the output's uint8_t* may alias any member, and the
// compiler then reloads and stores a member cursor around every byte (measured 2.7 ns a byte that way).
struct Pruner {
  const uint8_t* end;
  const uint8_t* program;
  size_t program_len;
  uint8_t* out_end;
  uint8_t* written;
  int depth;
  int error;  // 0 ok, -1 invalid, -2 too deep, -3 a bad program

  const uint8_t* fail() {
    if (error == 0) error = -1;
    return nullptr;
  }

  const uint8_t* skip_ws(const uint8_t* p) const {
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    return p;
  }

  // Output past out_end cannot happen (a projection is never longer than its body, and the output is at least the
  // body's size); were it to, the pruning fails (-1) and the caller parses the body whole.
  void emit(uint8_t c) {
    if (written < out_end)
      *written++ = c;
    else
      error = -1;
  }

  void emit_span(const uint8_t* from, const uint8_t* to) {
    size_t n = static_cast<size_t>(to - from);
    if (n <= static_cast<size_t>(out_end - written)) {
      memcpy(written, from, n);
      written += n;
    } else {
      error = -1;
    }
  }

  static bool is_hex(uint8_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  // The bytes of `v` (8 of the input, little-endian) that are a quote, a backslash or a control character (below
  // 0x20), as their high bits; the lowest one set is exact (a borrow may set higher ones).
  static uint64_t special_mask(uint64_t v) {
    constexpr uint64_t ones = ~0ULL / 255;
    constexpr uint64_t highs = ones * 128;
    uint64_t quote = v ^ (ones * '"');
    uint64_t backslash = v ^ (ones * '\\');
    return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((v - ones * 0x20) & ~v)) & highs;
  }

  // At the opening quote; returns the byte after the closing one (nullptr: invalid). Sets *escaped.
  const uint8_t* string(const uint8_t* p, bool* escaped) {
    p++;
    bool any = false;
    for (;;) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      // Eight bytes at a time, straight to the first that ends the string or needs a look.
      if (end - p >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t mask = special_mask(v);
        if (mask == 0) {
          p += 8;
          continue;
        }
        p += __builtin_ctzll(mask) >> 3;
      }
#endif
      if (p >= end) return fail();
      uint8_t c = *p;
      if (c == '"') {
        *escaped = any;
        return p + 1;
      }
      if (c < 0x20) return fail();
      if (c == '\\') {
        any = true;
        if (end - p < 2) return fail();
        uint8_t e = p[1];
        if (e == 'u') {
          if (end - p < 6 || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) || !is_hex(p[5])) return fail();
          p += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' || e == 't') {
          p += 2;
        } else {
          return fail();
        }
        continue;
      }
      p++;
    }
  }

  static const uint8_t* digits(const uint8_t* p, const uint8_t* end, bool* any) {
    const uint8_t* start = p;
    while (p < end && *p >= '0' && *p <= '9') p++;
    *any = p > start;
    return p;
  }

  // JSON's number grammar, as JSON.parse takes it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  const uint8_t* number(const uint8_t* p) {
    bool any;
    if (*p == '-') p++;
    if (p >= end) return fail();
    if (*p == '0') {
      p++;
    } else if (*p >= '1' && *p <= '9') {
      p = digits(p, end, &any);
    } else {
      return fail();
    }
    if (p < end && *p == '.') {
      p = digits(p + 1, end, &any);
      if (!any) return fail();
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
      p++;
      if (p < end && (*p == '+' || *p == '-')) p++;
      p = digits(p, end, &any);
      if (!any) return fail();
    }
    return p;
  }

  const uint8_t* word(const uint8_t* p, const char* text, size_t n) {
    if (static_cast<size_t>(end - p) < n || memcmp(p, text, n) != 0) return fail();
    return p + n;
  }

  static constexpr size_t kWhole = SIZE_MAX;

  // A value at `p` (after whitespace), projected by the program's node at `node` (kWhole: kept as it is); returns
  // the byte after it, nullptr when invalid. Two instances: `emitting` copies what the node keeps; the other only
  // validates (what no path reads, and a value kept whole, whose bytes are then copied in one piece).
  template <bool emitting>
  const uint8_t* value(const uint8_t* p, size_t node) {
    p = skip_ws(p);
    if (p >= end) return fail();
    const uint8_t* start = p;
    uint8_t c = *p;
    if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        error = -2;
        return nullptr;
      }
      bool whole = node == kWhole || program[node] == 0;
      const uint8_t* after;
      if (whole || !emitting) {
        after = c == '{' ? object<false>(p, kWhole) : array<false>(p, kWhole);
        if (after != nullptr && emitting) emit_span(start, after);
      } else {
        after = c == '{' ? object<true>(p, node) : array<true>(p, node);
      }
      depth--;
      return after;
    }
    const uint8_t* after;
    if (c == '"') {
      bool escaped;
      after = string(p, &escaped);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      after = number(p);
    } else if (c == 't') {
      after = word(p, "true", 4);
    } else if (c == 'f') {
      after = word(p, "false", 5);
    } else if (c == 'n') {
      after = word(p, "null", 4);
    } else {
      return fail();
    }
    if (after != nullptr && emitting) emit_span(start, after);
    return after;
  }

  uint32_t read_u16(size_t at) const { return program[at] | (program[at + 1] << 8); }

  // The bit of a key in a node's filter: most keys of a body are not listed, and this leaves them after one test.
  static uint64_t key_bit(const uint8_t* key, size_t n) {
    return 1ULL << ((n * 7 + (n > 0 ? key[0] : 0)) & 63);
  }

  // The child node of `node` for the key [from, to), or 0 when the node does not list it (0 is the root, never a
  // child). `node` is in bounds (the root is checked before the walk, every child here). A program that points
  // outside itself stops the pruning (-3): the caller then parses the body whole.
  size_t child(size_t node, const uint8_t* from, const uint8_t* to) {
    size_t n = static_cast<size_t>(to - from);
    uint64_t filter;
    memcpy(&filter, program + node + 3, 8);
    if ((filter & key_bit(from, n)) == 0) return 0;
    size_t count = read_u16(node + 1);
    size_t at = node + kNodeHeader;
    for (size_t i = 0; i < count; i++) {
      if (at + 2 > program_len) return bad_program();
      size_t key_len = read_u16(at);
      size_t target = at + 2 + key_len;
      if (target + 4 > program_len) return bad_program();
      if (key_len == n && (n == 0 || (program[at + 2] == *from && memcmp(program + at + 2, from, n) == 0))) {
        size_t offset = static_cast<size_t>(program[target]) | (static_cast<size_t>(program[target + 1]) << 8) |
                        (static_cast<size_t>(program[target + 2]) << 16) |
                        (static_cast<size_t>(program[target + 3]) << 24);
        if (offset == 0 || offset + kNodeHeader > program_len) return bad_program();
        return offset;
      }
      at = target + 4;
    }
    return 0;
  }

  size_t bad_program() {
    error = -3;
    return 0;
  }

  // Past an opening `{` or `[` and its whitespace; *closed when the container ends at once (then past its closer).
  template <bool emitting>
  const uint8_t* open(const uint8_t* p, uint8_t opener, uint8_t closer, bool* closed) {
    p = skip_ws(p + 1);
    if (emitting) emit(opener);
    *closed = p < end && *p == closer;
    if (!*closed) return p;
    if (emitting) emit(closer);
    return p + 1;
  }

  // After a member or an element: past its `,` (*more) or past the container's closer; nullptr for anything else.
  template <bool emitting>
  const uint8_t* separator(const uint8_t* p, uint8_t closer, bool* more) {
    p = skip_ws(p);
    if (p >= end) return fail();
    *more = *p == ',';
    if (*more) return p + 1;
    if (*p != closer) return fail();
    if (emitting) emit(closer);
    return p + 1;
  }

  // At '{'. Emitting: only the listed members, each projected by its child (a key with an escape: kept whole).
  template <bool emitting>
  const uint8_t* object(const uint8_t* p, size_t node) {
    bool done;
    p = open<emitting>(p, '{', '}', &done);
    bool first = true;
    for (bool more = !done; more;) {
      p = skip_ws(p);
      if (p >= end || *p != '"') return fail();
      const uint8_t* key = p;
      bool escaped;
      p = string(p, &escaped);
      if (p == nullptr) return nullptr;
      const uint8_t* key_end = p;
      p = skip_ws(p);
      if (p >= end || *p != ':') return fail();
      p++;
      size_t next = kWhole;
      bool keep = false;
      if (emitting) {
        if (escaped) {
          keep = true;
        } else {
          size_t found = child(node, key + 1, key_end - 1);
          if (error != 0) return nullptr;
          if (found != 0) {
            keep = true;
            next = found;
          }
        }
        if (keep) {
          if (!first) emit(',');
          first = false;
          emit_span(key, key_end);
          emit(':');
        }
      }
      p = keep ? value<true>(p, next) : value<false>(p, next);
      if (p == nullptr) return nullptr;
      p = separator<emitting>(p, '}', &more);
      if (p == nullptr) return nullptr;
    }
    return p;
  }

  // At '['. Emitting: every element, each projected by `node`.
  template <bool emitting>
  const uint8_t* array(const uint8_t* p, size_t node) {
    bool done;
    p = open<emitting>(p, '[', ']', &done);
    bool first = true;
    for (bool more = !done; more;) {
      if (emitting && !first) emit(',');
      first = false;
      p = value<emitting>(p, node);
      if (p == nullptr) return nullptr;
      p = separator<emitting>(p, ']', &more);
      if (p == nullptr) return nullptr;
    }
    return p;
  }
};

napi_value Prune(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t *in = nullptr, *program = nullptr, *out = nullptr;
  size_t in_len = 0, program_len = 0, out_len = 0;
  if (argc < 3 || !typed_bytes(env, argv[0], &in, &in_len) || !typed_bytes(env, argv[1], &program, &program_len) ||
      !typed_bytes(env, argv[2], &out, &out_len) || out_len < in_len) {
    napi_throw_type_error(env, nullptr, "prune(input, program, output): three Uint8Arrays, output at least input's size");
    return nullptr;
  }
  Pruner p{in + in_len, program, program_len, out + out_len, out, 0, 0};
  const uint8_t* at = in;
  // A UTF-8 byte order mark: TextDecoder drops it before JSON.parse sees the text.
  if (in_len >= 3 && in[0] == 0xef && in[1] == 0xbb && in[2] == 0xbf) at += 3;
  int32_t result;
  if (program_len < kNodeHeader || program[0] != 1 || in_len > INT32_MAX) {
    result = -3;
  } else {
    at = p.value<true>(at, 0);
    if (at == nullptr) {
      result = p.error == 0 ? -1 : p.error;
    } else {
      at = p.skip_ws(at);
      result = p.error != 0 ? p.error : at == p.end ? static_cast<int32_t>(p.written - out) : -1;
    }
  }
  napi_value ret;
  napi_create_int32(env, result, &ret);
  return ret;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "prune", NAPI_AUTO_LENGTH, Prune, nullptr, &fn);
  napi_set_named_property(env, exports, "prune", fn);
  return exports;
}
