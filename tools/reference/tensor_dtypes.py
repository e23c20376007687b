"""Storage dtype conversions shared by the readers."""
import numpy as np


def bf16_to_f32(u16):
    """bfloat16 is the upper half of an IEEE float32: widen the bit pattern by 16 zero bits."""
    return (u16.astype(np.uint32) << 16).view(np.float32)
