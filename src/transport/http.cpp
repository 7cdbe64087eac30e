// HttpClient on libcurl (OpenSSL flavour). Each transfer runs on a pooled
// easy handle inside its own multi handle, so this code owns the wait loop:
// cancellation and the deadline are checked every few milliseconds instead of
// whenever libcurl next calls back. The multi handle keeps the connection
// cache; a share handle adds DNS answers and TLS sessions across the pool.
#include "verinfer/transport/http.hpp"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

#include "transport/http_internal.hpp"
#include "verinfer/crypto/sha2.hpp"

namespace verinfer {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ---- headers ----

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// RFC 9110 §5.6.2 tchar.
bool is_token(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || kExtra.find(c) != std::string_view::npos;
  });
}

}  // namespace

void HttpHeaders::add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::set(std::string name, std::string value) {
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
  fields_.emplace_back(std::move(name), std::move(value));
}

const std::string* HttpHeaders::find(std::string_view name) const {
  for (const auto& f : fields_) {
    if (iequals(f.first, name)) return &f.second;
  }
  return nullptr;
}

// ---- pure helpers ----

namespace internal {

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return milliseconds(999'999'999'000LL);  // absurd; the cap applies
    return std::chrono::seconds(std::stoll(std::string(value)));
  }
  std::time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when == -1) return std::nullopt;
  auto delta = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(delta));
}

milliseconds backoff_delay(const RetryPolicy& policy, int retry, double unit) {
  double ceiling = static_cast<double>(policy.base_delay.count());
  for (int i = 1; i < retry && ceiling < static_cast<double>(policy.max_delay.count()); ++i) ceiling *= 2;
  ceiling = std::min(ceiling, static_cast<double>(policy.max_delay.count()));
  return milliseconds(static_cast<long long>(ceiling * std::clamp(unit, 0.0, 1.0)));
}

std::string redact_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto authority_start = scheme_end + 3;
  auto authority_end = url.find('/', authority_start);
  auto at = url.substr(0, authority_end).rfind('@');
  if (at == std::string_view::npos || at < authority_start) return std::string(url);
  return std::string(url.substr(0, authority_start)) + std::string(url.substr(at + 1));
}

Status validate_request_shape(const HttpRequest& request) {
  if (!is_token(request.method)) {
    return fail(ErrorCode::invalid_argument, "bad HTTP method", "expected a token, got \"" + request.method + "\"");
  }
  for (const auto& [name, value] : request.headers.fields()) {
    if (!is_token(name)) {
      return fail(ErrorCode::invalid_argument, "bad HTTP header name", "got \"" + name + "\"");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return fail(ErrorCode::invalid_argument, "bad HTTP header value",
                  "header " + name + " contains CR, LF or NUL");
    }
  }
  return {};
}

bool carries_payment(const HttpHeaders& headers) {
  return headers.contains("PAYMENT-SIGNATURE") || headers.contains("X-PAYMENT");
}

}  // namespace internal

// ---- the client ----

namespace {

constexpr milliseconds kPollSlice{20};            // cancellation / deadline check period
constexpr std::size_t kMaxHeaderBytes = 256u << 10;  // all header lines of one response
constexpr std::size_t kMaxIdleSlots = 16;

Status global_init() {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code != CURLE_OK) return fail(ErrorCode::internal, "libcurl initialisation failed", curl_easy_strerror(code));
  return {};
}

void warn_insecure_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::fputs("verinfer: WARNING: TLS verification is OFF (insecure_skip_tls_verify): "
               "anyone on the network path can read and change this traffic.\n",
               stderr);
  });
}

// One transfer context; the multi handle owns the connection cache.
struct Slot {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
};

void destroy(Slot s) {
  if (s.easy != nullptr) curl_easy_cleanup(s.easy);
  if (s.multi != nullptr) curl_multi_cleanup(s.multi);
}

std::string excerpt(std::string_view text, std::size_t max = 300) {
  std::string out(text.substr(0, max));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') c = ' ';
  }
  if (text.size() > max) out += "...";
  return out;
}

// What one attempt saw, filled by libcurl's callbacks.
struct Attempt {
  CURL* easy = nullptr;
  const HttpRequest* request = nullptr;
  const BodySink* sink = nullptr;
  const std::vector<Hash32>* pinned_cert = nullptr;
  const std::vector<Hash32>* pinned_spki = nullptr;
  std::size_t limit = 0;
  HttpResponse response;
  std::size_t header_bytes = 0;
  std::size_t body_bytes = 0;
  bool dispatched = false;     // the request may have left: connection up (and pins passed)
  bool delivered = false;      // a chunk reached the sink
  bool over_limit = false;
  bool sink_stopped = false;
  bool cancelled = false;
  std::string pin_failure;     // why the pin check refused the server
  std::array<char, CURL_ERROR_SIZE> errbuf{};
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto& a = *static_cast<Attempt*>(user);
  std::size_t n = size * count;
  a.header_bytes += n;
  if (a.header_bytes > kMaxHeaderBytes) {
    a.over_limit = true;
    return 0;
  }
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new response (1xx, proxy CONNECT): start over
    a.response.headers = {};
    return n;
  }
  line = trim(line);
  if (line.empty()) return n;
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;  // not a field; libcurl has judged the framing
  a.response.headers.add(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  return n;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto& a = *static_cast<Attempt*>(user);
  std::size_t n = size * count;
  if (a.body_bytes + n > a.limit) {
    a.over_limit = true;
    return 0;  // aborts with CURLE_WRITE_ERROR
  }
  a.body_bytes += n;
  long status = 0;
  curl_easy_getinfo(a.easy, CURLINFO_RESPONSE_CODE, &status);
  if (a.sink != nullptr && status >= 200 && status < 300) {
    a.delivered = true;
    if (!(*a.sink)(ByteView(reinterpret_cast<const std::uint8_t*>(data), n))) {
      a.sink_stopped = true;
      return 0;
    }
    return n;
  }
  a.response.body.insert(a.response.body.end(), data, data + n);
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& a = *static_cast<Attempt*>(user);
  if (a.request->cancel && a.request->cancel->cancelled()) {
    a.cancelled = true;
    return 1;
  }
  return 0;
}

// Checks the leaf certificate against the pins. Runs right before the request
// is sent, on new and reused connections alike.
std::string check_pins(const Attempt& a) {
  const curl_tlssessioninfo* info = nullptr;
  if (curl_easy_getinfo(a.easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || info == nullptr ||
      info->backend != CURLSSLBACKEND_OPENSSL || info->internals == nullptr) {
    return "no TLS session to check the pin against";
  }
  X509* cert = SSL_get1_peer_certificate(static_cast<SSL*>(info->internals));
  if (cert == nullptr) return "the server sent no certificate";
  auto digest_of = [](int len, unsigned char* der) {
    Hash32 h = sha256(ByteView(der, static_cast<std::size_t>(len)));
    OPENSSL_free(der);
    return h;
  };
  unsigned char* der = nullptr;
  int len = i2d_X509(cert, &der);
  std::optional<Hash32> cert_hash = len > 0 ? std::optional(digest_of(len, der)) : std::nullopt;
  der = nullptr;
  len = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  std::optional<Hash32> spki_hash = len > 0 ? std::optional(digest_of(len, der)) : std::nullopt;
  X509_free(cert);
  if (!cert_hash || !spki_hash) return "cannot encode the server certificate";
  auto matches = [](const std::vector<Hash32>& pins, const Hash32& h) {
    return std::any_of(pins.begin(), pins.end(), [&](const Hash32& p) { return constant_time_equal(p, h); });
  };
  if (!a.pinned_cert->empty() && !matches(*a.pinned_cert, *cert_hash)) {
    return "certificate sha256 " + cert_hash->hex(false) + " is not pinned (expected " +
           a.pinned_cert->front().hex(false) + (a.pinned_cert->size() > 1 ? " or another pin)" : ")");
  }
  if (!a.pinned_spki->empty() && !matches(*a.pinned_spki, *spki_hash)) {
    return "public key (SPKI) sha256 " + spki_hash->hex(false) + " is not pinned (expected " +
           a.pinned_spki->front().hex(false) + (a.pinned_spki->size() > 1 ? " or another pin)" : ")");
  }
  return {};
}

int on_prereq(void* user, char*, char*, int, int) {
  auto& a = *static_cast<Attempt*>(user);
  bool https = false;
  char* scheme = nullptr;
  if (curl_easy_getinfo(a.easy, CURLINFO_SCHEME, &scheme) == CURLE_OK && scheme != nullptr) {
    https = iequals(scheme, "https");
  }
  if (https && (!a.pinned_cert->empty() || !a.pinned_spki->empty())) {
    a.pin_failure = check_pins(a);
    if (!a.pin_failure.empty()) return CURL_PREREQFUNC_ABORT;
  }
  a.dispatched = true;
  return CURL_PREREQFUNC_OK;
}

using SlistPtr = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

}  // namespace

struct HttpClient::Impl {
  HttpClientOptions options;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mutex;
  std::vector<Slot> idle;

  ~Impl() {
    for (Slot s : idle) destroy(s);
    if (share != nullptr) curl_share_cleanup(share);
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks[static_cast<std::size_t>(data)].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks[static_cast<std::size_t>(data)].unlock();
  }

  Result<Slot> acquire() {
    {
      std::lock_guard guard(pool_mutex);
      if (!idle.empty()) {
        Slot s = idle.back();  // most recent first: its connection is warm
        idle.pop_back();
        return s;
      }
    }
    Slot s{curl_easy_init(), curl_multi_init()};
    if (s.easy == nullptr || s.multi == nullptr) {
      destroy(s);
      return fail(ErrorCode::internal, "libcurl handle allocation failed");
    }
    return s;
  }

  void release(Slot s) {
    std::lock_guard guard(pool_mutex);
    if (idle.size() < kMaxIdleSlots) {
      idle.push_back(s);
    } else {
      destroy(s);
    }
  }

  Result<HttpResponse> run(const HttpRequest& request, const BodySink* sink);
  Status configure(Attempt& a, const SlistPtr& headers, Clock::time_point deadline, bool at_most_once) const;
  static CURLcode perform(Slot slot, Attempt& a, Clock::time_point deadline);
};

Result<HttpClient> HttpClient::create(HttpClientOptions options) {
  if (auto st = global_init(); !st) return std::unexpected(st.error());
  const auto& tls = options.tls;
  if (tls.pin_replaces_ca && tls.pinned_cert_sha256.empty() && tls.pinned_spki_sha256.empty()) {
    return fail(ErrorCode::invalid_argument, "pin_replaces_ca needs a pin",
                "set pinned_cert_sha256 or pinned_spki_sha256");
  }
  if (options.retry.max_attempts < 1 || options.retry.base_delay.count() < 0 ||
      options.retry.max_delay < options.retry.base_delay || options.retry.max_retry_after.count() < 0) {
    return fail(ErrorCode::invalid_argument, "bad retry policy",
                "expected max_attempts >= 1 and 0 <= base_delay <= max_delay");
  }
  if (options.timeout.count() <= 0 || options.connect_timeout.count() <= 0 || options.max_response_bytes == 0) {
    return fail(ErrorCode::invalid_argument, "timeouts and max_response_bytes must be positive");
  }
  if (tls.insecure_skip_tls_verify) warn_insecure_once();
  auto impl = std::make_shared<Impl>();
  impl->options = std::move(options);
  impl->share = curl_share_init();
  if (impl->share == nullptr) return fail(ErrorCode::internal, "libcurl share allocation failed");
  curl_share_setopt(impl->share, CURLSHOPT_LOCKFUNC, &Impl::lock);
  curl_share_setopt(impl->share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
  curl_share_setopt(impl->share, CURLSHOPT_USERDATA, impl.get());
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(impl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return HttpClient(std::move(impl));
}

const HttpClientOptions& HttpClient::options() const noexcept { return impl_->options; }

Result<HttpResponse> HttpClient::send(const HttpRequest& request) const { return impl_->run(request, nullptr); }

Result<HttpResponse> HttpClient::send_streaming(const HttpRequest& request, const BodySink& sink) const {
  return impl_->run(request, &sink);
}

Status HttpClient::Impl::configure(Attempt& a, const SlistPtr& headers, Clock::time_point deadline,
                                   bool at_most_once) const {
  CURL* e = a.easy;
  const HttpRequest& r = *a.request;
  auto remaining = std::chrono::ceil<milliseconds>(deadline - Clock::now());
  remaining = std::max(remaining, milliseconds(1));
  curl_easy_reset(e);
  CURLcode c = CURLE_OK;
  auto set = [&](CURLoption opt, auto value) {
    if (c == CURLE_OK) c = curl_easy_setopt(e, opt, value);
  };
  set(CURLOPT_URL, r.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_SHARE, share);
  set(CURLOPT_ERRORBUFFER, a.errbuf.data());
  set(CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(options.connect_timeout, remaining).count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(a.limit));
  set(CURLOPT_HEADERFUNCTION, &on_header);
  set(CURLOPT_HEADERDATA, &a);
  set(CURLOPT_WRITEFUNCTION, &on_body);
  set(CURLOPT_WRITEDATA, &a);
  set(CURLOPT_NOPROGRESS, 0L);
  set(CURLOPT_XFERINFOFUNCTION, &on_progress);
  set(CURLOPT_XFERINFODATA, &a);
  set(CURLOPT_PREREQFUNCTION, &on_prereq);
  set(CURLOPT_PREREQDATA, &a);
  set(CURLOPT_HTTPHEADER, headers.get());
  set(CURLOPT_USERAGENT, options.user_agent.c_str());
  set(CURLOPT_PROXY, options.proxy.c_str());  // "" also ignores the environment
  set(CURLOPT_TCP_KEEPALIVE, 1L);
  // libcurl silently resends a request whose reused connection dies before
  // an answer; for at-most-once requests a fresh connection rules that out.
  set(CURLOPT_FRESH_CONNECT, at_most_once ? 1L : 0L);

  const TlsOptions& tls = options.tls;
  bool verify = !tls.insecure_skip_tls_verify && !tls.pin_replaces_ca;
  set(CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  set(CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
  if (!tls.ca_file.empty()) set(CURLOPT_CAINFO, tls.ca_file.c_str());

  static const char kEmpty[] = "";
  const char* body = r.body.empty() ? kEmpty : reinterpret_cast<const char*>(r.body.data());
  if (r.method == "GET" && r.body.empty()) {
    set(CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    set(CURLOPT_NOBODY, 1L);
  } else {
    bool has_body = !r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH";
    if (has_body) {
      set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
      set(CURLOPT_POSTFIELDS, body);
    }
    if (r.method != "POST") set(CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  if (c != CURLE_OK) {
    return fail(ErrorCode::internal, "libcurl rejected an option", curl_easy_strerror(c));
  }
  return {};
}

CURLcode HttpClient::Impl::perform(Slot slot, Attempt& a, Clock::time_point deadline) {
  CURLcode result = CURLE_OK;
  bool finished = false;
  curl_multi_add_handle(slot.multi, slot.easy);
  while (!finished) {
    int running = 0;
    if (curl_multi_perform(slot.multi, &running) != CURLM_OK) {
      result = CURLE_FAILED_INIT;
      break;
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(slot.multi, &queued)) {
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == slot.easy) {
        result = msg->data.result;
        finished = true;
      }
    }
    if (finished) break;
    if (a.request->cancel && a.request->cancel->cancelled()) {
      a.cancelled = true;
      result = CURLE_ABORTED_BY_CALLBACK;
      break;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      result = CURLE_OPERATION_TIMEDOUT;
      break;
    }
    auto wait = std::min(kPollSlice, std::chrono::ceil<milliseconds>(deadline - now));
    curl_multi_poll(slot.multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
  }
  long status = 0;
  long version = 0;
  curl_easy_getinfo(slot.easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(slot.easy, CURLINFO_HTTP_VERSION, &version);
  a.response.status = static_cast<int>(status);
  switch (version) {
    case CURL_HTTP_VERSION_1_0: a.response.http_version = 10; break;
    case CURL_HTTP_VERSION_1_1: a.response.http_version = 11; break;
    case CURL_HTTP_VERSION_2_0: a.response.http_version = 20; break;
    case CURL_HTTP_VERSION_3: a.response.http_version = 30; break;
    default: break;
  }
  curl_multi_remove_handle(slot.multi, slot.easy);  // mid-transfer, this closes the connection
  return result;
}

namespace {

struct Failure {
  Error error;
  bool retryable = false;
};

std::string curl_detail(CURLcode code, const Attempt& a) {
  std::string detail = curl_easy_strerror(code);
  if (a.errbuf[0] != '\0') detail += std::string(": ") + a.errbuf.data();
  return detail;
}

Failure classify(CURLcode code, const Attempt& a, Clock::time_point deadline, milliseconds budget) {
  std::string detail = curl_detail(code, a);
  switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
      if (!a.pin_failure.empty()) return {Error(ErrorCode::untrusted, "TLS pin check failed", a.pin_failure), false};
      if (a.cancelled) return {Error(ErrorCode::cancelled, "cancelled", "after " + std::to_string(a.body_bytes) + " body bytes"), false};
      return {Error(ErrorCode::internal, "transfer aborted", detail), false};
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (a.header_bytes > kMaxHeaderBytes) {
        return {Error(ErrorCode::resource_exhausted, "response headers too large",
                 "limit " + std::to_string(kMaxHeaderBytes) + " bytes"), false};
      }
      if (a.over_limit || code == CURLE_FILESIZE_EXCEEDED) {
        return {Error(ErrorCode::resource_exhausted, "response body too large",
                 "limit " + std::to_string(a.limit) + " bytes; " + detail), false};
      }
      return {Error(ErrorCode::internal, "cannot store the response", detail), false};
    case CURLE_OPERATION_TIMEDOUT:
      if (!a.dispatched && Clock::now() + milliseconds(5) < deadline) {
        return {Error(ErrorCode::unavailable, "connect timed out", detail), true};
      }
      return {Error(ErrorCode::deadline_exceeded, "deadline of " + std::to_string(budget.count()) + " ms exceeded",
               std::to_string(a.body_bytes) + " body bytes received; " + detail), false};
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      return {Error(ErrorCode::unavailable, "connection failed", detail), true};
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_PROXY:
      return {Error(ErrorCode::unavailable, "connection lost", detail), true};
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
      return {Error(ErrorCode::untrusted, "TLS verification failed", detail), false};
    case CURLE_SSL_CACERT_BADFILE:
      return {Error(ErrorCode::invalid_argument, "CA file unusable", detail), false};
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return {Error(ErrorCode::invalid_argument, "bad URL", detail), false};
    default:
      return {Error(ErrorCode::unavailable, "transfer failed", detail), false};
  }
}

Status check_url(const std::string& url, bool pinned) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), &curl_url_cleanup);
  if (!u) return fail(ErrorCode::internal, "libcurl URL allocation failed");
  if (CURLUcode uc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); uc != CURLUE_OK) {
    return fail(ErrorCode::invalid_argument, "bad URL", curl_url_strerror(uc));
  }
  char* scheme = nullptr;
  if (curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
    return fail(ErrorCode::invalid_argument, "bad URL", "no scheme");
  }
  std::string s(scheme);
  curl_free(scheme);
  if (s != "http" && s != "https") {
    return fail(ErrorCode::invalid_argument, "unsupported URL scheme", "expected http or https, got " + s);
  }
  if (pinned && s == "http") {
    return fail(ErrorCode::invalid_argument, "plain http with TLS pins set",
                "this client pins the server's certificate; use https");
  }
  return {};
}

SlistPtr build_headers(const HttpHeaders& defaults, const HttpHeaders& own) {
  SlistPtr list(nullptr, &curl_slist_free_all);
  auto append = [&](const std::string& name, const std::string& value) {
    // "Name;" is libcurl's spelling of a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    if (curl_slist* next = curl_slist_append(list.get(), line.c_str())) {
      (void)list.release();
      list.reset(next);
    }
  };
  for (const auto& [name, value] : defaults.fields()) {
    if (!own.contains(name)) append(name, value);
  }
  for (const auto& [name, value] : own.fields()) append(name, value);
  if (!own.contains("Expect")) {
    if (curl_slist* next = curl_slist_append(list.get(), "Expect:")) {  // no 100-continue round trip
      (void)list.release();
      list.reset(next);
    }
  }
  return list;
}

thread_local std::mt19937_64 jitter_rng{std::random_device{}()};

}  // namespace

Result<HttpResponse> HttpClient::Impl::run(const HttpRequest& request, const BodySink* sink) {
  const std::string where = request.method + " " + internal::redact_url(request.url);
  auto failure = [&](Error e) { return fail(e.code, where + ": " + e.message, std::move(e.detail)); };
  const TlsOptions& tls = options.tls;
  bool pinned = !tls.pinned_cert_sha256.empty() || !tls.pinned_spki_sha256.empty();
  if (auto st = internal::validate_request_shape(request); !st) return failure(st.error());
  if (auto st = check_url(request.url, pinned); !st) return failure(st.error());

  const bool at_most_once = request.delivery == Delivery::at_most_once || internal::carries_payment(request.headers);
  const milliseconds budget = request.timeout.count() > 0 ? request.timeout : options.timeout;
  const Clock::time_point deadline = Clock::now() + budget;
  const std::size_t limit = request.max_response_bytes > 0 ? request.max_response_bytes : options.max_response_bytes;
  SlistPtr headers = build_headers(options.default_headers, request.headers);

  for (int attempt = 1;; ++attempt) {
    if (request.cancel && request.cancel->cancelled()) {
      return failure(Error(ErrorCode::cancelled, "cancelled", "before attempt " + std::to_string(attempt)));
    }
    auto slot = acquire();
    if (!slot) return failure(slot.error());
    Attempt a;
    a.easy = slot->easy;
    a.request = &request;
    a.sink = sink;
    a.pinned_cert = &tls.pinned_cert_sha256;
    a.pinned_spki = &tls.pinned_spki_sha256;
    a.limit = limit;
    if (auto st = configure(a, headers, deadline, at_most_once); !st) {
      release(*slot);
      return failure(st.error());
    }
    CURLcode code = perform(*slot, a, deadline);
    release(*slot);
    a.response.attempts = attempt;

    Failure f;
    std::optional<milliseconds> retry_after;
    if (code == CURLE_OK || (code == CURLE_WRITE_ERROR && a.sink_stopped)) {
      int status = a.response.status;
      if (!internal::is_retryable_status(status)) return std::move(a.response);
      f.error = Error(ErrorCode::unavailable, "HTTP " + std::to_string(status),
                         "body: " + excerpt(a.response.text()));
      f.retryable = true;
      if (const std::string* ra = a.response.headers.find("Retry-After")) {
        retry_after = internal::parse_retry_after(*ra, std::chrono::system_clock::now());
      }
    } else {
      f = classify(code, a, deadline, budget);
      if (f.retryable && a.delivered) {
        return failure(Error(ErrorCode::unavailable, "response truncated: " + f.error.message + " after " +
                                            std::to_string(a.body_bytes) + " body bytes",
                                 f.error.detail));
      }
    }
    auto give_up = [&](std::string why) {
      f.error.detail += "; " + why;
      return failure(std::move(f.error));
    };
    if (!f.retryable) return failure(std::move(f.error));
    if (at_most_once && a.dispatched) {
      return give_up("not retried: this at-most-once (paid) request may have reached the server");
    }
    if (attempt >= options.retry.max_attempts) return give_up("gave up after " + std::to_string(attempt) + " attempts");
    milliseconds delay = retry_after ? std::min(*retry_after, options.retry.max_retry_after)
                                     : internal::backoff_delay(options.retry, attempt,
                                                               std::uniform_real_distribution<double>(0, 1)(jitter_rng));
    auto resume = Clock::now() + delay;
    if (resume >= deadline) {
      return give_up("no retry: waiting " + std::to_string(delay.count()) + " ms would pass the deadline");
    }
    while (Clock::now() < resume) {
      if (request.cancel && request.cancel->cancelled()) {
        return failure(Error(ErrorCode::cancelled, "cancelled", "while waiting to retry"));
      }
      std::this_thread::sleep_for(std::min(kPollSlice, std::chrono::ceil<milliseconds>(resume - Clock::now())));
    }
  }
}

}  // namespace verinfer
