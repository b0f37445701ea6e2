#include "server/mysql/packet.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <algorithm>
#include <chrono>

namespace strata::server::mysql {

void AppendFrames(std::string_view payload, uint8_t* seq, std::string* out) {
  size_t pos = 0;
  while (true) {
    size_t n = std::min(kMaxChunkBytes, payload.size() - pos);
    out->push_back(static_cast<char>(n & 0xFF));
    out->push_back(static_cast<char>((n >> 8) & 0xFF));
    out->push_back(static_cast<char>((n >> 16) & 0xFF));
    out->push_back(static_cast<char>((*seq)++));
    out->append(payload.substr(pos, n));
    pos += n;
    if (n < kMaxChunkBytes) break;  // a full chunk always needs a successor, maybe empty
  }
}

IoResult PacketDecoder::Next(uint8_t* seq, std::string* payload) {
  // Scan the chunk headers first: nothing is copied until the whole logical
  // packet is buffered, and a hostile length is refused before its bytes arrive.
  size_t pos = 0;
  size_t total = 0;
  uint8_t expect = *seq;
  size_t chunks = 0;
  while (true) {
    if (buf_.size() - pos < 4) return IoResult::kNeedMore;
    const auto* h = reinterpret_cast<const uint8_t*>(buf_.data() + pos);
    size_t len = h[0] | (h[1] << 8) | (static_cast<size_t>(h[2]) << 16);
    if (h[3] != expect) return IoResult::kOutOfOrder;
    expect++;
    total += len;
    if (total > max_payload_bytes_) return IoResult::kTooLarge;
    if (buf_.size() - pos - 4 < len) return IoResult::kNeedMore;
    pos += 4 + len;
    chunks++;
    if (len < kMaxChunkBytes) break;
  }
  payload->clear();
  payload->reserve(total);
  size_t at = 0;
  for (size_t i = 0; i < chunks; i++) {
    const auto* h = reinterpret_cast<const uint8_t*>(buf_.data() + at);
    size_t len = h[0] | (h[1] << 8) | (static_cast<size_t>(h[2]) << 16);
    payload->append(buf_, at + 4, len);
    at += 4 + len;
  }
  buf_.erase(0, pos);
  *seq = expect;
  return IoResult::kOk;
}

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
// Returns 1 ready, 0 timed out, -1 error/hang-up without data.
int WaitFd(int fd, short events, int64_t deadline_ms) {
  while (true) {
    int64_t left = deadline_ms - MonotonicMs();
    if (left <= 0) return 0;
    pollfd p{fd, events, 0};
    int r = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1000 * 1000)));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) continue;  // re-check the deadline
    if (p.revents & (events | POLLHUP | POLLERR)) return 1;  // read/write reports the error
    if (p.revents & POLLNVAL) return -1;
  }
}

}  // namespace

IoResult PacketChannel::Fill(int64_t deadline_ms, bool idle) {
  char buf[64 * 1024];
  int ready = WaitFd(fd_, POLLIN, deadline_ms);
  if (ready == 0) return idle ? IoResult::kIdleTimeout : IoResult::kTimeout;
  if (ready < 0) return IoResult::kClosed;
  while (true) {
    ssize_t n = recv(fd_, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      decoder_.Feed(std::string_view(buf, static_cast<size_t>(n)));
      return IoResult::kOk;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return IoResult::kOk;  // spurious wake-up
    return IoResult::kClosed;  // 0: orderly close; <0: reset
  }
}

IoResult PacketChannel::Read(std::string* payload, int64_t idle_timeout_ms, int64_t deadline_ms) {
  int64_t deadline = MonotonicMs() + idle_timeout_ms;
  bool idle = decoder_.buffered() == 0;
  // Each Fill adds at least one byte or ends the read, and each packet is
  // bounded by max_payload_bytes, so this loop ends.
  while (true) {
    uint8_t seq = seq_;
    IoResult r = decoder_.Next(&seq, payload);
    if (r == IoResult::kOk) seq_ = seq;
    if (r != IoResult::kNeedMore) return r;
    if (idle && decoder_.buffered() > 0) {
      idle = false;
      deadline = MonotonicMs() + options_.read_timeout_ms;
    }
    IoResult f = Fill(std::min(deadline, deadline_ms), idle);
    if (f != IoResult::kOk) return f;
    if (idle && decoder_.buffered() > 0) {
      idle = false;
      deadline = MonotonicMs() + options_.read_timeout_ms;
    }
  }
}

IoResult PacketChannel::Write(std::string_view payload) {
  AppendFrames(payload, &seq_, &out_);
  if (out_.size() >= options_.flush_threshold_bytes) return Flush();
  return IoResult::kOk;
}

IoResult PacketChannel::Flush() {
  size_t pos = 0;
  int64_t deadline = MonotonicMs() + options_.write_timeout_ms;
  while (pos < out_.size()) {
    ssize_t n = send(fd_, out_.data() + pos, out_.size() - pos, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      pos += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      int ready = WaitFd(fd_, POLLOUT, deadline);
      if (ready == 0) return IoResult::kTimeout;
      if (ready < 0) return IoResult::kClosed;
      continue;
    }
    out_.clear();
    return IoResult::kClosed;
  }
  out_.clear();
  return IoResult::kOk;
}

}  // namespace strata::server::mysql
