// Shared by every kernel: the per-dispatch parameters and the folded grid.
//
// Binding 0 is this dispatch's 256-byte slot of the batch's parameter arena: 64 words whose
// meaning each kernel family documents (shape, strides, offsets, scalars).

struct Params {
    words: array<vec4<u32>, 16>,
}

@group(0) @binding(0) var<uniform> params: Params;

fn param(i: u32) -> u32 {
    return params.words[i / 4u][i % 4u];
}

// Grids wider than the device's per-dimension limit are folded into 2-D: workgroup (x, y)
// is number x + y * width.
fn workgroup_index(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.x + wid.y * nwg.x;
}

// The invocation's number in a grid of 256-wide workgroups (one invocation per item).
fn item(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return workgroup_index(wid, nwg) * 256u + lid;
}

// NaN tests read the bits: drivers may fold `x != x` to false.
fn is_nan_f32(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}
