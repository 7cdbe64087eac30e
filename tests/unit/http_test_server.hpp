// A scripted HTTP/1.1 server for the transport tests: plain POSIX sockets on
// 127.0.0.1 with an ephemeral port, optionally TLS (OpenSSL) with a
// self-signed identity made at test time. Each test hands it a handler that
// decides, per request, what to send: a response, chunks with pauses, a reset,
// a trickle, or nothing at all. It counts connections and requests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer::test {

/// A self-signed certificate for 127.0.0.1 / localhost, made with OpenSSL.
class TlsIdentity {
 public:
  TlsIdentity() {
    key_.reset(EVP_EC_gen("P-256"));
    if (!key_) throw std::runtime_error("EC key generation failed");
    X509* cert = X509_new();
    cert_.reset(cert);
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), next_serial());
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600L * 24);
    X509_set_pubkey(cert, key_.get());
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("verinfer test"),
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                              std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      if (ext == nullptr) throw std::runtime_error("certificate extension failed");
      X509_add_ext(cert, ext, -1);
      X509_EXTENSION_free(ext);
    }
    if (X509_sign(cert, key_.get(), EVP_sha256()) == 0) throw std::runtime_error("certificate signing failed");
  }

  [[nodiscard]] X509* cert() const { return cert_.get(); }
  [[nodiscard]] EVP_PKEY* key() const { return key_.get(); }

  [[nodiscard]] std::string pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    PEM_write_bio_X509(bio.get(), cert_.get());
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
  }
  /// Writes the certificate as a PEM file (a CA bundle of one) and returns its path.
  [[nodiscard]] std::filesystem::path write_pem(const std::string& stem) const {
    auto path = std::filesystem::temp_directory_path() /
                (stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(serial_) + ".pem");
    std::ofstream(path, std::ios::binary) << pem();
    return path;
  }
  [[nodiscard]] Hash32 cert_sha256() const { return der_sha256(i2d_X509, cert_.get()); }
  [[nodiscard]] Hash32 spki_sha256() const { return der_sha256(i2d_PUBKEY, key_.get()); }

 private:
  template <class Encode, class T>
  static Hash32 der_sha256(Encode encode, const T* object) {
    unsigned char* der = nullptr;
    int len = encode(object, &der);
    Hash32 h = sha256(ByteView(der, static_cast<std::size_t>(len)));
    OPENSSL_free(der);
    return h;
  }
  long next_serial() {
    static std::atomic<long> counter{1};
    serial_ = counter++;
    return serial_;
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_{nullptr, &EVP_PKEY_free};
  std::unique_ptr<X509, decltype(&X509_free)> cert_{nullptr, &X509_free};
  long serial_ = 0;
};

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// First value of a header (case-insensitive name), or "" when absent.
  [[nodiscard]] std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
          })) {
        return v;
      }
    }
    return {};
  }
  [[nodiscard]] bool has_header(std::string_view name) const {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& kv) {
      return kv.first.size() == name.size() && std::equal(kv.first.begin(), kv.first.end(), name.begin(),
                                                          [](char a, char b) {
                                                            return std::tolower(static_cast<unsigned char>(a)) ==
                                                                   std::tolower(static_cast<unsigned char>(b));
                                                          });
    });
  }
};

class TestHttpServer;

/// One accepted connection, as the handler sees it.
class ServerConnection {
 public:
  /// Sends bytes; false once the peer is gone.
  bool write(std::string_view data) {
    while (!data.empty()) {
      long n = 0;
      if (ssl_ != nullptr) {
        n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
      } else {
        n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      }
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  /// Closes with a TCP reset (SO_LINGER 0), as a crashed peer would.
  void reset() {
    linger lg{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::shutdown(fd_, SHUT_RD);
    done_ = true;
  }
  /// Closes cleanly after what was written.
  void close() {
    ::shutdown(fd_, SHUT_WR);
    done_ = true;
  }
  /// Waits up to `max` (or until the server stops): a server that never answers.
  void hold(std::chrono::milliseconds max);
  /// Sleeps up to `d` unless the server stops first; false if it stopped.
  bool pause(std::chrono::milliseconds d);
  [[nodiscard]] bool finished() const { return done_; }

 private:
  friend class TestHttpServer;
  TestHttpServer* server_ = nullptr;
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool done_ = false;
};

/// An HTTP/1.1 status line, headers and body with Content-Length.
inline std::string http_response(int status, std::string_view body = {},
                                 const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\n";
  for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

/// One chunk of a chunked body (an empty one ends the body).
inline std::string http_chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

class TestHttpServer {
 public:
  /// Called for each request; `index` counts requests from 0 across connections.
  using Handler = std::function<void(ServerConnection&, const ReceivedRequest&, int index)>;

  explicit TestHttpServer(Handler handler, const TlsIdentity* tls = nullptr) : handler_(std::move(handler)) {
    std::signal(SIGPIPE, SIG_IGN);
    if (tls != nullptr) {
      ctx_ = SSL_CTX_new(TLS_server_method());
      if (ctx_ == nullptr || SSL_CTX_use_certificate(ctx_, tls->cert()) != 1 ||
          SSL_CTX_use_PrivateKey(ctx_, tls->key()) != 1) {
        throw std::runtime_error("TLS server setup failed");
      }
      // Records what the client offers in ALPN and settles on HTTP/1.1.
      SSL_CTX_set_alpn_select_cb(
          ctx_,
          [](SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
             void* self) -> int {
            auto* server = static_cast<TestHttpServer*>(self);
            std::lock_guard lock(server->mutex_);
            for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
              std::string proto(reinterpret_cast<const char*>(in + i + 1), in[i]);
              server->alpn_offered_.push_back(proto);
              if (proto == "http/1.1") {
                *out = in + i + 1;
                *outlen = in[i];
              }
            }
            return *outlen != 0 ? SSL_TLSEXT_ERR_OK : SSL_TLSEXT_ERR_NOACK;
          },
          this);
    }
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 64) != 0) {
      throw std::runtime_error("test server cannot listen");
    }
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TestHttpServer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    stop_cv_.notify_all();
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    for (auto& t : workers_) t.join();
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
  }

  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] std::string url(std::string_view path = "/") const {
    return std::string(ctx_ != nullptr ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
  }
  [[nodiscard]] int connections() const { return connections_.load(); }
  [[nodiscard]] int requests() const { return requests_.load(); }
  /// Bytes handlers managed to write (to show a client stopped reading early).
  [[nodiscard]] std::size_t bytes_written() const { return bytes_written_.load(); }
  void add_written(std::size_t n) { bytes_written_ += n; }
  /// ALPN protocol names the clients offered, in order.
  [[nodiscard]] std::vector<std::string> alpn_offered() const {
    std::lock_guard lock(mutex_);
    return alpn_offered_;
  }
  [[nodiscard]] std::vector<ReceivedRequest> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  friend class ServerConnection;

  void accept_loop() {
    while (true) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      if (stopping_) {
        ::close(fd);
        return;
      }
      ++connections_;
      open_fds_.push_back(fd);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads one request (headers, then a Content-Length body); false at EOF.
  bool read_request(ServerConnection& c, std::string& buffer, ReceivedRequest& out) {
    auto fill = [&]() {
      char tmp[16384];
      long n = c.ssl_ != nullptr ? SSL_read(c.ssl_, tmp, sizeof tmp) : ::recv(c.fd_, tmp, sizeof tmp, 0);
      if (n <= 0) return false;
      buffer.append(tmp, static_cast<std::size_t>(n));
      return true;
    };
    std::size_t end;
    while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (buffer.size() > (1u << 20) || !fill()) return false;
    }
    std::string head = buffer.substr(0, end);
    buffer.erase(0, end + 4);
    std::size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    auto sp1 = request_line.find(' ');
    auto sp2 = request_line.find(' ', sp1 + 1);
    out.method = request_line.substr(0, sp1);
    out.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      std::size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        out.headers.emplace_back(line.substr(0, colon), value);
      }
      pos = next + 2;
    }
    std::size_t length = 0;
    if (auto cl = out.header("Content-Length"); !cl.empty()) length = std::stoul(cl);
    while (buffer.size() < length) {
      if (!fill()) return false;
    }
    out.body = buffer.substr(0, length);
    buffer.erase(0, length);
    return true;
  }

  void serve(int fd) {
    ServerConnection c;
    c.server_ = this;
    c.fd_ = fd;
    if (ctx_ != nullptr) {
      c.ssl_ = SSL_new(ctx_);
      SSL_set_fd(c.ssl_, fd);
      if (SSL_accept(c.ssl_) != 1) c.done_ = true;  // e.g. the client rejected our certificate
    }
    std::string buffer;
    while (!c.done_) {
      ReceivedRequest req;
      if (!read_request(c, buffer, req)) break;
      int index = 0;
      {
        std::lock_guard lock(mutex_);
        received_.push_back(req);
        index = requests_++;
      }
      handler_(c, req, index);
    }
    if (c.ssl_ != nullptr) {
      if (!c.done_) SSL_shutdown(c.ssl_);
      SSL_free(c.ssl_);
    }
    std::lock_guard lock(mutex_);
    std::erase(open_fds_, fd);
    ::close(fd);
  }

  Handler handler_;
  SSL_CTX* ctx_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
  std::vector<int> open_fds_;
  std::vector<ReceivedRequest> received_;
  std::vector<std::string> alpn_offered_;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  std::atomic<std::size_t> bytes_written_{0};
};

inline void ServerConnection::hold(std::chrono::milliseconds max) { (void)pause(max); }

inline bool ServerConnection::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(server_->mutex_);
  return !server_->stop_cv_.wait_for(lock, d, [this] { return server_->stopping_; });
}

}  // namespace verinfer::test
