// Random fills with the counter-based Philox4x32-10 generator: element i of a draw is a pure
// function of (key, i), so results do not depend on how the work is split, and the same
// seed gives the same tensor on every run.
//
// Placeholders (written in double braces below), filled in by rust/webgpu/kernels/random.rs:
//   BINDINGS  `out` (binding 1, contiguous)
//   STORE     stores out[i] made from the four random words `r`
//
// Parameters: 0 element count, 1..3 key (two words drawn from the seeded host generator),
// 4..6 the low bound (lo, hi words), 6..8 the span of integer draws (lo, hi words).

{{BINDINGS}}

// High and low words of the 64-bit product a * b.
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
    let a0 = a & 0xffffu;
    let a1 = a >> 16u;
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let low = a0 * b0;
    let mid0 = a0 * b1;
    let mid1 = a1 * b0;
    let carry = ((low >> 16u) + (mid0 & 0xffffu) + (mid1 & 0xffffu)) >> 16u;
    return vec2<u32>(a1 * b1 + (mid0 >> 16u) + (mid1 >> 16u) + carry, a * b);
}

fn philox(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
    var c = counter;
    var k = key;
    for (var round = 0u; round < 10u; round++) {
        let p0 = mul_wide(0xD2511F53u, c.x);
        let p1 = mul_wide(0xCD9E8D57u, c.z);
        c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
        k += vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
    }
    return c;
}

// Uniform in [0, 1) with 24 random bits (exact in f32, never 1).
fn unit_f32(w: u32) -> f32 {
    return f32(w >> 8u) * (1.0 / 16777216.0);
}

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(num_workgroups) nwg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let i = workgroup_index(wid, nwg) * 256u + lid;
    if (i >= param(0u)) {
        return;
    }
    let r = philox(vec4<u32>(i, 0u, 0u, 0u), vec2<u32>(param(1u), param(2u)));
    {{STORE}}
}
