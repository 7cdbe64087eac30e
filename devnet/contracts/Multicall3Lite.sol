// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Multicall3Lite: the Multicall3 subset (tryAggregate, aggregate3, getBlockNumber)
/// placed at 0xcA11bde05977b3631167028862bE2a173976CA11 on the devnet with anvil_setCode.
contract Multicall3Lite {
    struct Call { address target; bytes callData; }
    struct Call3 { address target; bool allowFailure; bytes callData; }
    struct Result { bool success; bytes returnData; }

    function tryAggregate(bool requireSuccess, Call[] calldata calls) public payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory ret) = calls[i].target.call(calls[i].callData);
            if (requireSuccess) require(ok, "Multicall3: call failed");
            returnData[i] = Result(ok, ret);
        }
    }

    function aggregate3(Call3[] calldata calls) public payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool ok, bytes memory ret) = calls[i].target.call(calls[i].callData);
            require(ok || calls[i].allowFailure, "Multicall3: call failed");
            returnData[i] = Result(ok, ret);
        }
    }

    function getBlockNumber() public view returns (uint256) { return block.number; }
    function getCurrentBlockTimestamp() public view returns (uint256) { return block.timestamp; }
    function getEthBalance(address a) public view returns (uint256) { return a.balance; }
}
