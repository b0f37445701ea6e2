#include "storage/compression.h"

#include <lz4.h>
#include <zstd.h>

#include <climits>
#include <cstring>

#include "common/check.h"

namespace strata::storage {

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "NONE";
    case Compression::kLz4: return "LZ4";
    case Compression::kZstd: return "ZSTD";
  }
  return "?";
}

std::string Compress(Compression c, std::string_view in, int zstd_level) {
  std::string out;
  switch (c) {
    case Compression::kNone:
      return std::string(in);
    case Compression::kLz4: {
      STRATA_CHECK(in.size() < static_cast<size_t>(LZ4_MAX_INPUT_SIZE), "lz4 input too large");
      out.resize(LZ4_compressBound(static_cast<int>(in.size())));
      int n = LZ4_compress_default(in.data(), out.data(), static_cast<int>(in.size()),
                                   static_cast<int>(out.size()));
      STRATA_CHECK(n > 0, "LZ4_compress_default failed");
      out.resize(n);
      return out;
    }
    case Compression::kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), zstd_level);
      STRATA_CHECK(!ZSTD_isError(n), std::string("ZSTD_compress: ") + ZSTD_getErrorName(n));
      out.resize(n);
      return out;
    }
  }
  STRATA_CHECK(false, "unknown compression");
  return out;
}

Status DecompressInto(Compression c, std::string_view in, char* out, size_t size_bytes) {
  switch (c) {
    case Compression::kNone:
      if (in.size() != size_bytes) return DataLoss("uncompressed page size mismatch");
      if (size_bytes > 0) std::memcpy(out, in.data(), size_bytes);
      return Status::OK();
    case Compression::kLz4: {
      if (in.size() > INT_MAX || size_bytes > INT_MAX) return DataLoss("lz4 block too large");
      int n = LZ4_decompress_safe(in.data(), out, static_cast<int>(in.size()), static_cast<int>(size_bytes));
      if (n < 0 || static_cast<size_t>(n) != size_bytes) return DataLoss("lz4: malformed block");
      return Status::OK();
    }
    case Compression::kZstd: {
      size_t n = ZSTD_decompress(out, size_bytes, in.data(), in.size());
      if (ZSTD_isError(n)) return DataLoss(std::string("zstd: ") + ZSTD_getErrorName(n));
      if (n != size_bytes) return DataLoss("zstd: wrong decompressed size");
      return Status::OK();
    }
  }
  return DataLoss("unknown compression " + std::to_string(static_cast<int>(c)));
}

Status Decompress(Compression c, std::string_view in, size_t size_bytes, std::string* out) {
  out->assign(size_bytes, '\0');
  return DecompressInto(c, in, out->data(), size_bytes);
}

}  // namespace strata::storage
