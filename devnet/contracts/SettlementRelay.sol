// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title SettlementRelay (verinfer devnet)
/// @notice Records proofs of TEE calls, one by one or as the Merkle root of a batch.
contract SettlementRelay {
    address public admin;
    mapping(address => bool) public settlers;
    /// merkle root => block number in which it was posted (0 = never)
    mapping(bytes32 => uint256) public batchRoots;

    event BatchSettlement(bytes32 indexed merkleRoot, uint256 batchSize, bytes walrusBlobId);
    event IndividualSettlement(
        bytes32 indexed teeId,
        address indexed ethAddress,
        bytes32 inputHash,
        bytes32 outputHash,
        uint256 timestamp,
        bytes walrusBlobId,
        bytes signature
    );

    error NotAdmin();
    error NotSettler();

    constructor() { admin = msg.sender; settlers[msg.sender] = true; }

    function setSettler(address who, bool allowed) external {
        if (msg.sender != admin) revert NotAdmin();
        settlers[who] = allowed;
    }

    modifier onlySettler() { if (!settlers[msg.sender]) revert NotSettler(); _; }

    function settleBatch(bytes32 merkleRoot, uint256 batchSize, bytes calldata walrusBlobId) external onlySettler {
        batchRoots[merkleRoot] = block.number;
        emit BatchSettlement(merkleRoot, batchSize, walrusBlobId);
    }

    function settleIndividual(
        bytes32 teeId,
        address ethAddress,
        bytes32 inputHash,
        bytes32 outputHash,
        uint256 timestamp,
        bytes calldata walrusBlobId,
        bytes calldata signature
    ) external onlySettler {
        emit IndividualSettlement(teeId, ethAddress, inputHash, outputHash, timestamp, walrusBlobId, signature);
    }
}
