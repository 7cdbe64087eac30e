// HttpClient through a real HTTP proxy (Debian's tinyproxy, started here on
// loopback) to the devnet gateway: plain HTTP forwarded, HTTPS tunnelled with
// CONNECT and the gateway's certificate pinned; and HTTP/2 negotiated over TLS
// with a real h2-only server (Node's http2, tests/interop/h2_server.mjs).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "child_process.hpp"
#include "devnet_json.hpp"
#include "verinfer/verinfer.hpp"

using namespace verinfer;

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// tinyproxy on a loopback port with its own config and log.
struct Tinyproxy {
  int port = test::free_port();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("verinfer-tinyproxy-" + std::to_string(::getpid()));
  std::unique_ptr<test::ChildProcess> process;

  Tinyproxy() {
    std::filesystem::create_directories(dir);
    // No ConnectPort line: CONNECT is allowed to any port (the gateway's TLS port is not 443).
    std::ofstream(dir / "tinyproxy.conf") << "Port " << port << "\nListen 127.0.0.1\nAllow 127.0.0.1\n"
                                          << "Timeout 30\nMaxClients 16\nLogLevel Info\n"
                                          << "LogFile \"" << (dir / "tinyproxy.log").string() << "\"\n";
    process = std::make_unique<test::ChildProcess>(
        std::vector<std::string>{"tinyproxy", "-d", "-c", (dir / "tinyproxy.conf").string()});
    REQUIRE_MESSAGE(test::wait_for_port(port, std::chrono::seconds(10)), "tinyproxy did not start");
  }
  ~Tinyproxy() {
    process.reset();
    std::filesystem::remove_all(dir);
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  [[nodiscard]] std::string log() const { return read_text(dir / "tinyproxy.log"); }
};

HttpRequest get(std::string url) {
  HttpRequest r;
  r.url = std::move(url);
  return r;
}

HttpClient client_with(const HttpClientOptions& o) {
  auto c = HttpClient::create(o);
  REQUIRE_MESSAGE(c, (c ? "" : c.error().to_string()));
  return std::move(*c);
}

}  // namespace

TEST_CASE("proxy: tinyproxy forwards HTTP and tunnels pinned HTTPS (CONNECT) to the devnet gateway") {
  Json devnet = test::devnet_json();
  const std::string gateway = devnet.find("urls")->find("gateway")->as_string();
  const std::string gateway_tls = devnet.find("urls")->find("gatewayTls")->as_string();
  const Hash32 pin = Hash32::from_hex(devnet.find("tee")->find("tlsCertificateSha256")->as_string()).value();
  Tinyproxy proxy;

  HttpClientOptions plain;
  plain.proxy = proxy.url();
  auto forwarded = client_with(plain).send(get(gateway + "/health"));
  REQUIRE_MESSAGE(forwarded, (forwarded ? "" : forwarded.error().to_string()));
  CHECK(forwarded->status == 200);
  const std::string* via = forwarded->headers.find("Via");
  REQUIRE(via != nullptr);  // the proxy handled the request itself
  CHECK(via->find("tinyproxy") != std::string::npos);

  HttpClientOptions tunnelled = plain;
  tunnelled.tls.pin_replaces_ca = true;
  tunnelled.tls.pinned_cert_sha256 = {pin};
  auto secure = client_with(tunnelled).send(get(gateway_tls + "/health"));
  REQUIRE_MESSAGE(secure, (secure ? "" : secure.error().to_string()));
  CHECK(secure->status == 200);
  CHECK(secure->headers.find("Via") == nullptr);  // end to end TLS: the proxy saw only bytes
  const std::string authority = gateway_tls.substr(std::string_view("https://").size());
  CHECK(proxy.log().find("CONNECT " + authority) != std::string::npos);

  // Through the same tunnel, another pin is refused before any request is sent.
  HttpClientOptions wrong = tunnelled;
  wrong.tls.pinned_cert_sha256 = {sha256(as_bytes("not the gateway"))};
  auto refused = client_with(wrong).send(get(gateway_tls + "/health"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::untrusted);
}

TEST_CASE("http2: negotiated over TLS with an h2-only server, as libcurl reports it") {
  test::ChildProcess server({"node", "tests/interop/h2_server.mjs"});
  Json info = parse_json(server.read_line(std::chrono::seconds(30))).value();
  const std::string base = "https://127.0.0.1:" + std::to_string(info.find("port")->get_int64().value());
  HttpClientOptions o;
  o.tls.pin_replaces_ca = true;
  o.tls.pinned_cert_sha256 = {Hash32::from_hex(info.find("certSha256")->as_string()).value()};
  auto client = client_with(o);

  auto r = client.send(get(base + "/v1/models"));
  REQUIRE_MESSAGE(r, (r ? "" : r.error().to_string()));
  CHECK(r->http_version == 20);
  CHECK(r->text() == R"({"protocol":"h2","path":"/v1/models","method":"GET"})");
  HttpRequest post = get(base + "/v1/chat/completions");
  post.method = "POST";
  post.body = Bytes{'{', '}'};
  auto p = client.send(post);
  REQUIRE(p);
  CHECK(p->http_version == 20);
  CHECK(p->text() == R"({"protocol":"h2","path":"/v1/chat/completions","method":"POST"})");

  // Through tinyproxy's CONNECT tunnel the TLS session, and so h2, is end to end.
  Tinyproxy proxy;
  o.proxy = proxy.url();
  auto tunnelled = client_with(o).send(get(base + "/health"));
  REQUIRE_MESSAGE(tunnelled, (tunnelled ? "" : tunnelled.error().to_string()));
  CHECK(tunnelled->http_version == 20);
}
