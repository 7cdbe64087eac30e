// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title TEERegistry (verinfer devnet)
/// @notice Lists TEE gateways with their signing key (SPKI DER), TLS certificate (DER)
///         and measured PCR hash. Read interface shaped like OpenGradient's registry.
contract TEERegistry {
    struct TEEInfo {
        address owner;
        address paymentAddress;
        string endpoint;
        bytes publicKey;       // SubjectPublicKeyInfo DER of the RSA signing key
        bytes tlsCertificate;  // DER of the gateway's TLS certificate
        bytes32 pcrHash;       // keccak256(pcr0 || pcr1 || pcr2)
        uint8 teeType;
        bool enabled;
        uint256 registeredAt;
        uint256 lastHeartbeatAt;
    }

    address public admin;
    mapping(bytes32 => TEEInfo) private tees;
    bytes32[] private teeIds;
    mapping(bytes32 => bool) public approvedPCRs;

    event TEERegistered(bytes32 indexed teeId, address indexed owner, uint8 indexed teeType, string endpoint, bytes32 pcrHash);
    event HeartbeatReceived(bytes32 indexed teeId, uint256 timestamp);
    event PCRApproved(bytes32 indexed pcrHash);
    event PCRRevoked(bytes32 indexed pcrHash);
    event TEEEnabledChanged(bytes32 indexed teeId, bool enabled);

    error NotAdmin();
    error NotOwner();
    error PCRNotApproved(bytes32 pcrHash);
    error UnknownTEE(bytes32 teeId);

    constructor() { admin = msg.sender; }

    modifier onlyAdmin() { if (msg.sender != admin) revert NotAdmin(); _; }

    function approvePCR(bytes32 pcrHash) external onlyAdmin {
        approvedPCRs[pcrHash] = true;
        emit PCRApproved(pcrHash);
    }

    function revokePCR(bytes32 pcrHash) external onlyAdmin {
        approvedPCRs[pcrHash] = false;
        emit PCRRevoked(pcrHash);
    }

    /// @notice Registers (or re-registers) a TEE. teeId = keccak256(publicKey).
    function registerTEE(
        bytes calldata publicKey,
        bytes calldata tlsCertificate,
        bytes32 pcrHash,
        string calldata endpoint,
        address paymentAddress,
        uint8 teeType
    ) external returns (bytes32 teeId) {
        if (!approvedPCRs[pcrHash]) revert PCRNotApproved(pcrHash);
        teeId = keccak256(publicKey);
        TEEInfo storage t = tees[teeId];
        if (t.registeredAt == 0) {
            teeIds.push(teeId);
        } else if (t.owner != msg.sender && msg.sender != admin) {
            revert NotOwner();
        }
        t.owner = msg.sender;
        t.paymentAddress = paymentAddress;
        t.endpoint = endpoint;
        t.publicKey = publicKey;
        t.tlsCertificate = tlsCertificate;
        t.pcrHash = pcrHash;
        t.teeType = teeType;
        t.enabled = true;
        t.registeredAt = block.timestamp;
        t.lastHeartbeatAt = block.timestamp;
        emit TEERegistered(teeId, msg.sender, teeType, endpoint, pcrHash);
    }

    function heartbeat(bytes32 teeId) external {
        TEEInfo storage t = tees[teeId];
        if (t.registeredAt == 0) revert UnknownTEE(teeId);
        if (t.owner != msg.sender) revert NotOwner();
        t.lastHeartbeatAt = block.timestamp;
        emit HeartbeatReceived(teeId, block.timestamp);
    }

    function setTEEEnabled(bytes32 teeId, bool enabled) external {
        TEEInfo storage t = tees[teeId];
        if (t.registeredAt == 0) revert UnknownTEE(teeId);
        if (t.owner != msg.sender && msg.sender != admin) revert NotOwner();
        t.enabled = enabled;
        emit TEEEnabledChanged(teeId, enabled);
    }

    function getTEE(bytes32 teeId) external view returns (TEEInfo memory) {
        return tees[teeId];
    }

    /// @notice Active = registered, enabled and its PCR hash still approved.
    function isTEEActive(bytes32 teeId) public view returns (bool) {
        TEEInfo storage t = tees[teeId];
        return t.registeredAt != 0 && t.enabled && approvedPCRs[t.pcrHash];
    }

    function getActiveTEEs(uint8 teeType) external view returns (TEEInfo[] memory out) {
        bytes32[] memory ids = getActiveTEEIds(teeType);
        out = new TEEInfo[](ids.length);
        for (uint256 i = 0; i < ids.length; i++) out[i] = tees[ids[i]];
    }

    function getActiveTEEIds(uint8 teeType) public view returns (bytes32[] memory ids) {
        uint256 n = 0;
        for (uint256 i = 0; i < teeIds.length; i++) {
            if (tees[teeIds[i]].teeType == teeType && isTEEActive(teeIds[i])) n++;
        }
        ids = new bytes32[](n);
        uint256 k = 0;
        for (uint256 i = 0; i < teeIds.length; i++) {
            if (tees[teeIds[i]].teeType == teeType && isTEEActive(teeIds[i])) ids[k++] = teeIds[i];
        }
    }

    function getAllTEEIds() external view returns (bytes32[] memory) { return teeIds; }
}
