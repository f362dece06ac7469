// The LayerValidationError a call throws: a test fails when the call throws nothing or another error.
import { LayerValidationError } from "../../modules";

export function refusal(fn: () => unknown): LayerValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LayerValidationError);
    return e as LayerValidationError;
  }
  throw new Error("expected a LayerValidationError, nothing was thrown");
}
