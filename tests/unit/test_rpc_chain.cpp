// A receipt is only as good as its node: a receipt whose logs disagree with
// it is a parse error, and check_receipt_on_chain() catches a node whose
// block or head disagrees with the receipt (reorg, vanished block, another
// transaction at the index, a head behind the block, too few confirmations).
// The node is scripted on 127.0.0.1.
#include "test_support.hpp"

#include <functional>
#include <map>

#include "http_test_server.hpp"
#include "verinfer/settle/settlement.hpp"

using namespace verinfer;
using test::http_response;
using test::ReceivedRequest;
using test::ServerConnection;
using test::TestHttpServer;

namespace {

const std::string kTx = "0x" + std::string(64, 'a');
const std::string kOtherTx = "0x" + std::string(64, 'e');
const std::string kBlock = "0x" + std::string(64, 'b');
const std::string kOtherBlock = "0x" + std::string(64, 'c');
const std::string kAddr = "0x" + std::string(40, '1');

Json parsed(std::string_view text) { return parse_json(text).value(); }

Json log_json(std::string_view log_index) {
  return parsed(R"({"address":")" + kAddr + R"(","topics":[],"data":"0x","blockNumber":"0x10","blockHash":")" +
                kBlock + R"(","transactionHash":")" + kTx + R"(","transactionIndex":"0x1","logIndex":")" +
                std::string(log_index) + R"(","removed":false})");
}

Json receipt_json(std::vector<Json> logs) {
  Json r = parsed(R"({"transactionHash":")" + kTx + R"(","transactionIndex":"0x1","blockHash":")" + kBlock +
                  R"(","blockNumber":"0x10","from":")" + kAddr + R"(","to":")" + kAddr +
                  R"(","contractAddress":null,"status":"0x1","gasUsed":"0x5208","cumulativeGasUsed":"0x5208",)"
                  R"("effectiveGasPrice":"0x1","type":"0x2","logs":[]})");
  Json list = Json::array();
  for (auto& l : logs) list.push_back(std::move(l));
  r.set("logs", std::move(list));
  return r;
}

Json block_json(const std::string& hash, std::vector<std::string> txs) {
  Json b = parsed(R"({"number":"0x10","hash":")" + hash + R"(","parentHash":")" + kOtherBlock +
                  R"(","timestamp":"0x1","gasLimit":"0x1c9c380","gasUsed":"0x5208","transactions":[]})");
  Json list = Json::array();
  for (const auto& t : txs) list.push_back(t);
  b.set("transactions", std::move(list));
  return b;
}

// A node answering each method with a fixed result (JSON text).
TestHttpServer::Handler node(std::map<std::string, std::string> results) {
  return [results](ServerConnection& c, const ReceivedRequest& req, int) {
    Json call = parse_json(req.body).value();
    const std::string& method = call.find("method")->as_string();
    auto it = results.find(method);
    Json answer = Json::object();
    answer.set("jsonrpc", "2.0");
    answer.set("id", *call.find("id"));
    answer.set("result", it == results.end() ? Json(nullptr) : parsed(it->second));
    c.write(http_response(200, answer.dump(), {{"Content-Type", "application/json"}}));
  };
}

// The receipt's own logs, as eth_getLogs lists them (with another tx's log).
std::string block_logs(std::vector<Json> logs) {
  Json other = log_json("0x7");
  other.set("transactionHash", kOtherTx);
  Json list = Json::array();
  list.push_back(std::move(other));
  for (auto& l : logs) list.push_back(std::move(l));
  return list.dump();
}

VerificationReport on_chain(std::map<std::string, std::string> results, std::uint64_t confirmations = 1) {
  results.try_emplace("eth_getLogs", block_logs({log_json("0x0")}));
  TestHttpServer server(node(std::move(results)));
  auto rpc = RpcClient::create(server.url("/")).value();
  auto receipt = parse_rpc_receipt(receipt_json({log_json("0x0")})).value();
  return check_receipt_on_chain(rpc, receipt, kSettlementReceiptChecks,
                                confirmations);
}

const Check& named(const VerificationReport& report, std::string_view name) {
  for (const auto& c : report.checks()) {
    if (c.name == name) return c;
  }
  FAIL("no check " << name << " in " << report.to_string());
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("rpc receipt: logs that disagree with their receipt are parse errors naming both values") {
  REQUIRE(parse_rpc_receipt(receipt_json({log_json("0x0"), log_json("0x1")})));
  struct Case {
    std::string key;
    std::string value;
    std::string detail;
  };
  for (const auto& c : std::vector<Case>{{"blockHash", kOtherBlock, "expected " + kBlock + ", got " + kOtherBlock},
                                         {"blockNumber", "0x11", "expected 16, got 17"},
                                         {"transactionIndex", "0x2", "expected 1, got 2"},
                                         {"transactionHash", kOtherTx, "expected " + kTx + ", got " + kOtherTx}}) {
    CAPTURE(c.key);
    Json bad = log_json("0x0");
    bad.set(c.key, c.value);
    auto r = parse_rpc_receipt(receipt_json({bad}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::parse_error);
    CHECK(r.error().message == (c.key == "transactionHash" ? std::string("receipt: a log belongs to another transaction")
                                                            : "receipt: a log's " + c.key + " differs from the receipt's"));
    CHECK(r.error().detail == c.detail);
  }
  // A log repeated verbatim, or two logs swapped, breaks the rising log index.
  for (const auto& [first, second] : {std::pair{"0x0", "0x0"}, std::pair{"0x1", "0x0"}}) {
    auto r = parse_rpc_receipt(receipt_json({log_json(first), log_json(second)}));
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("log indices do not rise") != std::string::npos);
    CHECK(r.error().detail == std::string("expected more than ") + (first[2] == '0' ? "0" : "1") + ", got 0");
  }
}

TEST_CASE("rpc block: transaction hashes (or full objects) are read, strictly") {
  auto b = parse_rpc_block(block_json(kBlock, {kOtherTx, kTx})).value();
  REQUIRE(b.transactions.size() == 2);
  CHECK(b.transactions[1].hex() == kTx);
  Json full = block_json(kBlock, {});
  Json txs = Json::array();
  txs.push_back(parsed(R"({"hash":")" + kTx + R"("})"));
  full.set("transactions", std::move(txs));
  CHECK(parse_rpc_block(full).value().transactions.at(0).hex() == kTx);
  Json bad = block_json(kBlock, {"0x1234"});
  CHECK(parse_rpc_block(bad).error().message.find("block.transactions[]") != std::string::npos);
}

TEST_CASE("receipt on chain: the canonical block and the head must agree with the receipt") {
  const std::string canonical = block_json(kBlock, {kOtherTx, kTx}).dump();
  SUBCASE("consistent node, head 3 blocks past: passes, 4 confirmations") {
    auto report = on_chain({{"eth_getBlockByNumber", canonical}, {"eth_blockNumber", R"("0x13")"}}, 4);
    INFO(report.to_string());
    CHECK(report.ok());
    CHECK(named(report, "settlement.confirmations").actual == "4");
  }
  SUBCASE("reorg: another block at the receipt's number") {
    auto report = on_chain({{"eth_getBlockByNumber", block_json(kOtherBlock, {kOtherTx, kTx}).dump()},
                            {"eth_blockNumber", R"("0x10")"}});
    const Check& c = named(report, "settlement.block");
    CHECK_FALSE(c.passed);
    CHECK(c.reason == "the chain's block at the receipt's number is another block (reorg?)");
    CHECK(c.actual == "block 16 " + kOtherBlock);
    CHECK(c.expected.find(kBlock) != std::string::npos);
  }
  SUBCASE("the block vanished") {
    auto report = on_chain({{"eth_blockNumber", R"("0x10")"}});
    const Check& c = named(report, "settlement.block");
    CHECK_FALSE(c.passed);
    CHECK(c.reason == "the receipt's block is no longer on the chain (reorg?)");
    CHECK(c.actual == "no block 16");
  }
  SUBCASE("the block holds another transaction at the receipt's index") {
    auto report = on_chain({{"eth_getBlockByNumber", block_json(kBlock, {kTx, kOtherTx}).dump()},
                            {"eth_blockNumber", R"("0x10")"}});
    const Check& c = named(report, "settlement.block");
    CHECK_FALSE(c.passed);
    CHECK(c.reason == "the receipt's block does not hold its transaction at its index");
    CHECK(c.actual == kOtherTx + " at index 1");
  }
  SUBCASE("the block lists fewer transactions than the index") {
    auto report = on_chain({{"eth_getBlockByNumber", block_json(kBlock, {kTx}).dump()},
                            {"eth_blockNumber", R"("0x10")"}});
    CHECK(named(report, "settlement.block").actual == "1 transactions");
  }
  SUBCASE("the head lags behind the receipt's block") {
    auto report = on_chain({{"eth_getBlockByNumber", canonical}, {"eth_blockNumber", R"("0xf")"}});
    const Check& c = named(report, "settlement.confirmations");
    CHECK_FALSE(c.passed);
    CHECK(c.reason == "the chain's head is behind the receipt's block");
    CHECK(c.actual == "head 15 < block 16");
  }
  SUBCASE("too few confirmations") {
    auto report = on_chain({{"eth_getBlockByNumber", canonical}, {"eth_blockNumber", R"("0x11")"}}, 3);
    const Check& c = named(report, "settlement.confirmations");
    CHECK_FALSE(c.passed);
    CHECK(c.reason == "too few confirmations");
    CHECK(c.expected == ">= 3");
    CHECK(c.actual == "2");
  }
  SUBCASE("the block's logs of the transaction differ from the receipt's") {
    Json flipped = log_json("0x0");
    flipped.set("data", "0x01");
    Json moved = log_json("0x3");
    for (const auto& [logs, actual] :
         std::vector<std::pair<std::string, std::string>>{{block_logs({flipped}), "log 0 differs"},
                                                          {block_logs({moved}), "log 0 differs"},
                                                          {block_logs({}), "0 logs of the transaction"},
                                                          {block_logs({log_json("0x0"), log_json("0x1")}),
                                                           "2 logs of the transaction"}}) {
      auto report = on_chain({{"eth_getBlockByNumber", canonical}, {"eth_blockNumber", R"("0x10")"},
                              {"eth_getLogs", logs}});
      const Check& c = named(report, "settlement.logs");
      CHECK_FALSE(c.passed);
      CHECK(c.reason == "the receipt's logs are not the block's logs of the transaction");
      CHECK(c.actual.starts_with(actual));
    }
  }
  SUBCASE("a malformed answer fails the check it stopped") {
    auto report = on_chain({{"eth_getBlockByNumber", canonical}, {"eth_blockNumber", R"("0x010")"}});
    const Check& c = named(report, "settlement.confirmations");
    CHECK_FALSE(c.passed);
    CHECK(c.code == ErrorCode::parse_error);
    CHECK(c.reason == "eth_blockNumber: quantity has a leading zero");
  }
}
