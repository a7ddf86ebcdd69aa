// The bytes of a Uint8Array argument, shared by the native addons (json_prune.cc, gzip_member.cc).
#ifndef FJE_TYPED_BYTES_H
#define FJE_TYPED_BYTES_H

#include <node_api.h>

#include <cstddef>
#include <cstdint>

// False unless `value` is a Uint8Array (a Buffer is one); then `data` and `length` are its bytes.
inline bool typed_bytes(napi_env env, napi_value value, uint8_t** data, size_t* length) {
  bool is_typed = false;
  if (napi_is_typedarray(env, value, &is_typed) != napi_ok || !is_typed) return false;
  napi_typedarray_type type;
  void* raw = nullptr;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, &buffer, &offset) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = static_cast<uint8_t*>(raw);
  return true;
}

#endif  // FJE_TYPED_BYTES_H
