// Gzip members through libdeflate (Node-API addon, linked statically with Debian's libdeflate-dev).
//
// Why: fleet mode compresses every target's exposition text once per interval (the group archives and the gzip
// units of src/fleet/gzip-exposition.ts, ~79 MB per 15 s at 10,000 SRS × 10 streams) and a plain answer inflates all
// of it again. Node's zlib is the only codec it ships; libdeflate compresses exposition text at level 1 for 0.63–0.71×
// the CPU of Node's zlib, 2–3 % smaller (npm run bench:gzip-codec; a C harness: ~390 against ~200 MB/s), and inflates
// at about the same cost in the process (bench/README.md, "Gzip members through libdeflate"). Its output is an
// ordinary gzip member (RFC 1952), so members still join into one multi-member stream.
//
// compress(input, level) → Promise<Buffer>: one gzip member of `input`, compressed on libuv's thread pool (as
//   zlib.gzip() does); the caller must not change `input` until the promise settles.
// decompress(member, output) → the member's plain length written to `output`, or -1 when it is not one whole valid
//   gzip member that fits (the caller then uses zlib, which gives its own error). Synchronous: the answers inflate
//   member after member into one reused buffer.
#include <libdeflate.h>
#include <node_api.h>

#include "typed_bytes.h"

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

constexpr int kMinLevel = 1;
constexpr int kMaxLevel = 12;

// One compressor per thread-pool thread and level, kept: allocating one costs more than compressing a small member.
libdeflate_compressor* compressor_for(int level) {
  thread_local libdeflate_compressor* compressors[kMaxLevel + 1] = {};
  if (compressors[level] == nullptr) compressors[level] = libdeflate_alloc_compressor(level);
  return compressors[level];
}

struct CompressWork {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref input_ref = nullptr;
  const uint8_t* input = nullptr;
  size_t input_len = 0;
  int level = 1;
  std::vector<uint8_t> output;
  size_t output_len = 0;
  const char* error = nullptr;
};

void Execute(napi_env, void* data) {
  auto* job = static_cast<CompressWork*>(data);
  libdeflate_compressor* compressor = compressor_for(job->level);
  if (compressor == nullptr) {
    job->error = "libdeflate could not allocate a compressor";
    return;
  }
  job->output.resize(libdeflate_gzip_compress_bound(compressor, job->input_len));
  job->output_len =
      libdeflate_gzip_compress(compressor, job->input, job->input_len, job->output.data(), job->output.size());
  // The bound is libdeflate's own worst case: 0 here would be a bug in it, said rather than hidden.
  if (job->output_len == 0) job->error = "libdeflate's output exceeded its own bound";
}

void Complete(napi_env env, napi_status status, void* data) {
  auto* job = static_cast<CompressWork*>(data);
  napi_value result;
  if (status != napi_ok || job->error != nullptr) {
    napi_value message;
    napi_create_string_utf8(env, job->error != nullptr ? job->error : "the compression was cancelled", NAPI_AUTO_LENGTH,
                            &message);
    napi_create_error(env, nullptr, message, &result);
    napi_reject_deferred(env, job->deferred, result);
  } else {
    void* copied = nullptr;
    napi_create_buffer_copy(env, job->output_len, job->output.data(), &copied, &result);
    napi_resolve_deferred(env, job->deferred, result);
  }
  napi_delete_reference(env, job->input_ref);
  napi_delete_async_work(env, job->work);
  delete job;
}

napi_value Compress(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t* input = nullptr;
  size_t input_len = 0;
  int32_t level = 0;
  if (argc < 2 || !typed_bytes(env, argv[0], &input, &input_len) ||
      napi_get_value_int32(env, argv[1], &level) != napi_ok || level < kMinLevel || level > kMaxLevel) {
    napi_throw_type_error(env, nullptr, "compress(input, level): a Uint8Array and a level from 1 to 12");
    return nullptr;
  }
  auto* job = new CompressWork();
  job->input = input;
  job->input_len = input_len;
  job->level = level;
  // Keeps the input's memory alive while a pool thread reads it.
  napi_create_reference(env, argv[0], 1, &job->input_ref);
  napi_value promise, name;
  napi_create_promise(env, &job->deferred, &promise);
  napi_create_string_utf8(env, "fje.gzipMember", NAPI_AUTO_LENGTH, &name);
  napi_create_async_work(env, nullptr, name, Execute, Complete, job, &job->work);
  napi_queue_async_work(env, job->work);
  return promise;
}

napi_value Decompress(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint8_t *member = nullptr, *output = nullptr;
  size_t member_len = 0, output_len = 0;
  if (argc < 2 || !typed_bytes(env, argv[0], &member, &member_len) ||
      !typed_bytes(env, argv[1], &output, &output_len)) {
    napi_throw_type_error(env, nullptr, "decompress(member, output): two Uint8Arrays");
    return nullptr;
  }
  // Called on the main thread only (the answers), so one decompressor does.
  static libdeflate_decompressor* decompressor = libdeflate_alloc_decompressor();
  double result = -1;
  size_t read = 0, written = 0;
  if (decompressor != nullptr &&
      libdeflate_gzip_decompress_ex(decompressor, member, member_len, output, output_len, &read, &written) ==
          LIBDEFLATE_SUCCESS &&
      read == member_len) {
    result = static_cast<double>(written);
  }
  napi_value ret;
  napi_create_double(env, result, &ret);
  return ret;
}

}  // namespace

NAPI_MODULE_INIT() {
  napi_value compress, decompress;
  napi_create_function(env, "compress", NAPI_AUTO_LENGTH, Compress, nullptr, &compress);
  napi_set_named_property(env, exports, "compress", compress);
  napi_create_function(env, "decompress", NAPI_AUTO_LENGTH, Decompress, nullptr, &decompress);
  napi_set_named_property(env, exports, "decompress", decompress);
  return exports;
}
