// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title InferenceHub (verinfer devnet): the on-chain ML ("Alpha") path with a tiny built-in model.
/// @notice Model "devnet/linear-v1" (any modelId is accepted and echoed in the jsons):
///   numbers: one output tensor "y" of shape [1]:
///     y = sum_k w_k * x_k + 0.5, w_k = (k mod 3) + 1, over all input numbers in order,
///     computed in fixed point with decimals D = max(1, max input decimals).
///   strings: each input string tensor comes back under the same name, ASCII upper-cased.
///   jsons: [("model_id", modelId), ("mode", "<mode>")]; is_simulation_result = false.
contract InferenceHub {
    struct Number { int128 value; int128 decimals; }
    struct NumberTensor { string name; Number[] values; uint32[] shape; }
    struct StringTensor { string name; string[] values; }
    struct ModelInput { NumberTensor[] numbers; StringTensor[] strings; }
    struct JsonScalar { string name; string value; }
    struct ModelOutput { NumberTensor[] numbers; StringTensor[] strings; JsonScalar[] jsons; bool is_simulation_result; }

    event InferenceResult(ModelOutput output);

    error UnsupportedMode(uint8 mode);

    function run(string calldata modelId, uint8 mode, ModelInput calldata input) external returns (ModelOutput memory output) {
        if (mode > 2) revert UnsupportedMode(mode);
        output = infer(modelId, mode, input);
        emit InferenceResult(output);
    }

    function infer(string calldata modelId, uint8 mode, ModelInput calldata input) public pure returns (ModelOutput memory output) {
        int128 d = 1;
        for (uint256 t = 0; t < input.numbers.length; t++) {
            for (uint256 i = 0; i < input.numbers[t].values.length; i++) {
                if (input.numbers[t].values[i].decimals > d) d = input.numbers[t].values[i].decimals;
            }
        }
        int256 acc = 0;
        uint256 k = 0;
        for (uint256 t = 0; t < input.numbers.length; t++) {
            for (uint256 i = 0; i < input.numbers[t].values.length; i++) {
                Number calldata x = input.numbers[t].values[i];
                int256 scaled = int256(x.value) * int256(10 ** uint256(uint128(d - x.decimals)));
                acc += scaled * int256((k % 3) + 1);
                k++;
            }
        }
        acc += 5 * int256(10 ** uint256(uint128(d - 1)));  // + 0.5

        output.numbers = new NumberTensor[](1);
        output.numbers[0].name = "y";
        output.numbers[0].values = new Number[](1);
        output.numbers[0].values[0] = Number(int128(acc), d);
        output.numbers[0].shape = new uint32[](1);
        output.numbers[0].shape[0] = 1;

        output.strings = new StringTensor[](input.strings.length);
        for (uint256 t = 0; t < input.strings.length; t++) {
            output.strings[t].name = input.strings[t].name;
            output.strings[t].values = new string[](input.strings[t].values.length);
            for (uint256 i = 0; i < input.strings[t].values.length; i++) {
                output.strings[t].values[i] = _upper(input.strings[t].values[i]);
            }
        }

        output.jsons = new JsonScalar[](2);
        output.jsons[0] = JsonScalar("model_id", modelId);
        output.jsons[1] = JsonScalar("mode", _u8str(mode));
        output.is_simulation_result = false;
    }

    function _upper(string calldata s) private pure returns (string memory) {
        bytes memory b = bytes(s);
        for (uint256 i = 0; i < b.length; i++) {
            if (b[i] >= 0x61 && b[i] <= 0x7a) b[i] = bytes1(uint8(b[i]) - 32);
        }
        return string(b);
    }

    function _u8str(uint8 v) private pure returns (string memory) {
        bytes memory b = new bytes(1);
        b[0] = bytes1(uint8(48 + v));  // mode is 0..2
        return string(b);
    }
}
