// verinfer: the HTTP client every network call goes through. One HttpClient
// is thread-safe and meant to be shared: it reuses connections (and TLS
// sessions and DNS answers), speaks HTTP/2 when the server offers it over
// TLS, verifies TLS by default, can pin the server's certificate or key,
// enforces deadlines and size limits, retries what is safe to retry and
// guarantees that a paid request is never sent twice.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "verinfer/bytes.hpp"
#include "verinfer/error.hpp"

namespace verinfer {

/// Aborts transfers from any thread. Copies share one flag, so a caller keeps
/// a copy, hands another to the request, and calls cancel() when it wants.
class CancelToken {
 public:
  CancelToken() : flag_(std::make_shared<std::atomic<bool>>(false)) {}
  /// Asks every call holding a copy to stop (they fail with cancelled).
  void cancel() const noexcept { flag_->store(true, std::memory_order_relaxed); }
  /// Whether cancel() was called on any copy.
  [[nodiscard]] bool cancelled() const noexcept { return flag_->load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<std::atomic<bool>> flag_;
};

/// Header fields in order; names compare case-insensitively (RFC 9110 §5.1).
class HttpHeaders {
 public:
  using Field = std::pair<std::string, std::string>;  ///< name and value as sent

  /// Appends a field (a name may repeat).
  void add(std::string name, std::string value);
  /// Replaces every field of that name by one.
  void set(std::string name, std::string value);
  /// The first value of that name, or nullptr.
  [[nodiscard]] const std::string* find(std::string_view name) const;
  /// Whether a field of that name is present.
  [[nodiscard]] bool contains(std::string_view name) const { return find(name) != nullptr; }
  /// Every field, in order.
  [[nodiscard]] const std::vector<Field>& fields() const noexcept { return fields_; }
  /// No fields at all.
  [[nodiscard]] bool empty() const noexcept { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

/// Whether sending a request twice is harmless.
enum class Delivery {
  /// Idempotent: retried on connection failures and 429/502/503/504.
  retry_safe,
  /// At most once (e.g. it carries a payment): retried only when no byte of
  /// it can have left this process, i.e. the connection was never made.
  at_most_once,
};

/// One HTTP request, as HttpClient sends it.
struct HttpRequest {
  std::string method = "GET";  ///< any RFC 9110 token; "HEAD" reads no body
  std::string url;             ///< http:// or https:// only
  HttpHeaders headers;
  Bytes body;  ///< sent with Content-Length when non-empty or when method is POST/PUT/PATCH
  /// A request carrying an x402 payment header (PAYMENT-SIGNATURE or
  /// X-PAYMENT) is at_most_once whatever this says.
  Delivery delivery = Delivery::retry_safe;
  /// Total time for this call including retries; zero: the client's default.
  std::chrono::milliseconds timeout{0};
  /// Largest body accepted; zero: the client's default.
  std::size_t max_response_bytes = 0;
  /// Cancels this call when triggered (from any thread).
  std::optional<CancelToken> cancel;
};

/// The final response to a request.
struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  ///< of the final response (1xx and proxy CONNECT headers dropped)
  Bytes body;           ///< empty for a 2xx streamed to a sink
  int http_version = 0; ///< 10, 11, 20 or 30
  int attempts = 0;     ///< how many times the request was sent or tried

  /// The body as text (bytes as they are; no charset conversion).
  [[nodiscard]] std::string_view text() const noexcept {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
};

/// Exponential backoff with full jitter: attempt n (from 1) waits a uniform
/// random time in [0, min(max_delay, base_delay * 2^(n-1))], or what a
/// Retry-After header says (capped by max_retry_after). Never past the deadline.
struct RetryPolicy {
  int max_attempts = 3;  ///< 1 disables retries
  std::chrono::milliseconds base_delay{200};
  std::chrono::milliseconds max_delay{5'000};
  std::chrono::milliseconds max_retry_after{30'000};
};

/// How HTTPS servers are trusted. Verification is on by default.
struct TlsOptions {
  /// PEM file of certificates to trust instead of the system store.
  std::string ca_file;
  /// SHA-256 of the server's SubjectPublicKeyInfo (DER); any one may match.
  std::vector<Hash32> pinned_spki_sha256;
  /// SHA-256 of the server's leaf certificate (DER); any one may match. This
  /// is how a gateway named by the registry and its attestation is pinned.
  std::vector<Hash32> pinned_cert_sha256;
  /// With a pin set: trust the pin alone, skipping the CA chain and host name
  /// checks (TEE gateways serve self-signed certificates). Needs a pin.
  bool pin_replaces_ca = false;
  /// Turns off all TLS verification. Only for local experiments: anyone on
  /// the path can then read and change the traffic. Warns on stderr.
  bool insecure_skip_tls_verify = false;
};

/// Time limits, size limits, retries, TLS and proxy of an HttpClient.
struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};  ///< per connection attempt
  std::chrono::milliseconds timeout{120'000};         ///< per call, retries included
  std::size_t max_response_bytes = 64u << 20;
  RetryPolicy retry;
  TlsOptions tls;
  /// Proxy URL ("http://host:port", "socks5h://host:port"); empty: none.
  /// Environment variables (http_proxy, ...) are never read.
  std::string proxy;
  std::string user_agent = "verinfer/0.1";
  /// Added to every request unless the request sets the same name.
  HttpHeaders default_headers;
};

/// Sink for a streamed body: gets each chunk as it arrives; returns false to
/// stop the transfer (not an error: the call then returns the response).
using BodySink = std::function<bool(ByteView chunk)>;

/// An HTTP/1.1 and HTTP/2 client (libcurl inside); copies share one
/// connection pool, and a client may be used from several threads.
class HttpClient {
 public:
  /// Checks the options (invalid_argument naming the bad one).
  [[nodiscard]] static Result<HttpClient> create(HttpClientOptions options = {});

  /// Sends a request and reads the whole response. Returns the response
  /// whatever its status, except a 429/502/503/504 left after the retry
  /// policy, which is unavailable. Errors: invalid_argument (bad URL, method
  /// or header), unavailable (connection failed or lost), deadline_exceeded,
  /// cancelled, resource_exhausted (body over the limit; the transfer stops
  /// as soon as it is exceeded), untrusted (TLS verification or pin failed).
  /// Messages name the method and the URL (without query); the detail holds
  /// libcurl's text.
  [[nodiscard]] Result<HttpResponse> send(const HttpRequest& request) const;

  /// Like send(), but a 2xx body goes to `sink` as it arrives instead of
  /// into the response. Other statuses are read into the body as usual.
  /// After the first chunk reached the sink, nothing is retried; a broken
  /// connection then is unavailable "response truncated".
  [[nodiscard]] Result<HttpResponse> send_streaming(const HttpRequest& request,
                                                    const BodySink& sink) const;

  /// The options the client was created with.
  [[nodiscard]] const HttpClientOptions& options() const noexcept;

 private:
  struct Impl;
  explicit HttpClient(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;  // copies share the connection pool
};

}  // namespace verinfer
