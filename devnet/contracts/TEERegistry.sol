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

    /// The TEE's Oblivious HTTP key (PROTOCOL.md section 8), stored with the enclave's RSA-PSS
    /// signature over computeOHTTPConfigHash. Unlike OpenGradient's registry, this devnet registry
    /// does not verify the RSA signature on chain (RSA-PSS in Solidity is heavy): clients check it.
    struct OHTTPConfig {
        uint8 keyId;
        uint16 kemId;
        uint16 kdfId;
        uint16 aeadId;
        bytes publicKey;  // 32-byte X25519 public key
        bytes keyConfig;  // RFC 9458 section 3 key config, 41 bytes for one suite
        uint256 registeredAt;
    }

    address public admin;
    mapping(bytes32 => TEEInfo) private tees;
    mapping(bytes32 => OHTTPConfig) private ohttpConfigs;
    mapping(bytes32 => bytes) private ohttpConfigSignatures;
    bytes32[] private teeIds;
    mapping(bytes32 => bool) public approvedPCRs;

    event TEERegistered(bytes32 indexed teeId, address indexed owner, uint8 indexed teeType, string endpoint, bytes32 pcrHash);
    event HeartbeatReceived(bytes32 indexed teeId, uint256 timestamp);
    event PCRApproved(bytes32 indexed pcrHash);
    event PCRRevoked(bytes32 indexed pcrHash);
    event TEEEnabledChanged(bytes32 indexed teeId, bool enabled);
    event OHTTPConfigSet(bytes32 indexed teeId, uint8 keyId, bytes32 configHash);

    error NotAdmin();
    error NotOwner();
    error PCRNotApproved(bytes32 pcrHash);
    error UnknownTEE(bytes32 teeId);
    error BadOHTTPConfig(string reason);

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

    /// @notice OpenGradient's configHash: every fixed field a 32-byte word, dynamic fields pre-hashed.
    function computeOHTTPConfigHash(
        bytes32 teeId, uint8 keyId, uint16 kemId, uint16 kdfId, uint16 aeadId, bytes memory publicKey, bytes memory keyConfig
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(keccak256("OPENGRADIENT_TEE_OHTTP_CONFIG_V1"), teeId, uint256(keyId), uint256(kemId),
            uint256(kdfId), uint256(aeadId), keccak256(publicKey), keccak256(keyConfig)));
    }

    /// @notice Sets the TEE's OHTTP key config (owner only). Checks the fixed suite and that keyConfig
    ///         repeats keyId, the suite and publicKey; stores the RSA-PSS signature for clients to verify.
    function setOHTTPConfig(
        bytes32 teeId, uint8 keyId, uint16 kemId, uint16 kdfId, uint16 aeadId,
        bytes calldata publicKey, bytes calldata keyConfig, bytes calldata signature
    ) external {
        TEEInfo storage t = tees[teeId];
        if (t.registeredAt == 0) revert UnknownTEE(teeId);
        if (t.owner != msg.sender) revert NotOwner();
        if (kemId != 0x0020 || kdfId != 0x0001 || aeadId != 0x0003) revert BadOHTTPConfig("suite");
        if (publicKey.length != 32 || keyConfig.length != 41) revert BadOHTTPConfig("length");
        if (uint8(keyConfig[0]) != keyId || bytes2(keyConfig[1:3]) != bytes2(kemId)) revert BadOHTTPConfig("header");
        if (keccak256(keyConfig[3:35]) != keccak256(publicKey)) revert BadOHTTPConfig("publicKey");
        if (bytes6(keyConfig[35:41]) != bytes6(uint48(0x0004) << 32 | uint48(kdfId) << 16 | uint48(aeadId))) revert BadOHTTPConfig("algorithms");
        if (signature.length == 0) revert BadOHTTPConfig("signature");
        ohttpConfigs[teeId] = OHTTPConfig(keyId, kemId, kdfId, aeadId, publicKey, keyConfig, block.timestamp);
        ohttpConfigSignatures[teeId] = signature;
        emit OHTTPConfigSet(teeId, keyId, computeOHTTPConfigHash(teeId, keyId, kemId, kdfId, aeadId, publicKey, keyConfig));
    }

    /// @notice The TEE's OHTTP config and the enclave's signature over its configHash (registeredAt 0: none).
    function getOHTTPConfig(bytes32 teeId) external view returns (OHTTPConfig memory config, bytes memory signature) {
        return (ohttpConfigs[teeId], ohttpConfigSignatures[teeId]);
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
