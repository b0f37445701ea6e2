#include "server/mysql/auth.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <random>

#include "common/check.h"

namespace strata::server::mysql {

std::string NewScramble() {
  std::string s(kScrambleBytes, '\0');
  unsigned char raw[kScrambleBytes];
  if (RAND_bytes(raw, sizeof(raw)) != 1) {
    std::random_device rd;  // the OS source as well; RAND_bytes failing is rare
    for (auto& b : raw) b = static_cast<unsigned char>(rd());
  }
  for (size_t i = 0; i < kScrambleBytes; i++) {
    char c = static_cast<char>(1 + raw[i] % 127);
    if (c == '$') c = '%';
    s[i] = c;
  }
  return s;
}

std::string Sha1(std::string_view data) {
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
  return std::string(reinterpret_cast<const char*>(md), SHA_DIGEST_LENGTH);
}

std::string NativePasswordHash(std::string_view password) {
  if (password.empty()) return "";
  return Sha1(Sha1(password));
}

namespace {
std::string Xor(std::string_view a, std::string_view b) {
  STRATA_CHECK(a.size() == b.size(), "xor of unequal lengths");
  std::string out(a.size(), '\0');
  for (size_t i = 0; i < a.size(); i++) out[i] = static_cast<char>(a[i] ^ b[i]);
  return out;
}
}  // namespace

std::string NativeAuthResponse(std::string_view password, std::string_view scramble) {
  if (password.empty()) return "";
  std::string stage1 = Sha1(password);
  std::string stage2 = Sha1(stage1);
  return Xor(stage1, Sha1(std::string(scramble) + stage2));
}

bool VerifyNativePassword(std::string_view scramble, std::string_view stored_hash, std::string_view response) {
  if (stored_hash.empty()) return response.empty();
  if (stored_hash.size() != SHA_DIGEST_LENGTH || response.size() != SHA_DIGEST_LENGTH) return false;
  std::string candidate = Xor(response, Sha1(std::string(scramble) + std::string(stored_hash)));
  std::string check = Sha1(candidate);
  return CRYPTO_memcmp(check.data(), stored_hash.data(), SHA_DIGEST_LENGTH) == 0;
}

}  // namespace strata::server::mysql
