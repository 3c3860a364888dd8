// Batched matrix product out[b] = a[b] @ c[b] for a (B, M, K), c (B, K, N), out (B, M, N)
// contiguous. Each workgroup computes a 64 x 64 tile of one batch entry: the 256 invocations
// stage 64 x 16 slices of a and 16 x 64 slices of c in workgroup memory, and each invocation
// accumulates a 4 x 4 block of outputs in registers (rows ty + 16i, columns tx + 16j, so
// neighbouring invocations store neighbouring columns).
//
// Placeholders (written in double braces below), filled in by rust/webgpu/kernels/matmul.rs:
//   BINDINGS  `out` (binding 1), `a` (2), `c` (3): scalar arrays, or vec4 arrays when
//                 the rows are contiguous and 4-aligned
//   T         the element type
//   LOAD_A    body of load_a(batch, row, k): a[batch, row, k..k+4] as vec4 (0 outside)
//   LOAD_C    body of load_c(batch, k, col): c[batch, k, col..col+4] as vec4 (0 outside)
//
// Parameters: 0 M, 1 N, 2 K, 4 a offset, 5..8 a strides (batch, row, k),
// 8 c offset, 9..12 c strides (batch, k, col).

{{BINDINGS}}

const TILE: u32 = 64u;
const DEPTH: u32 = 16u;

var<workgroup> a_tile: array<array<{{T}}, 64>, 16>;
var<workgroup> c_tile: array<array<{{T}}, 64>, 16>;

fn load_a(batch: u32, row: u32, k: u32) -> vec4<{{T}}> {
    {{LOAD_A}}
}

fn load_c(batch: u32, k: u32, col: u32) -> vec4<{{T}}> {
    {{LOAD_C}}
}

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) li: u32,
) {
    let m = param(0u);
    let n = param(1u);
    let depth = param(2u);
    let batch = wid.z;
    let row0 = wid.y * TILE;
    let col0 = wid.x * TILE;
    var acc: array<array<{{T}}, 4>, 4>;
    for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) {
            acc[i][j] = {{T}}(0);
        }
    }
    // Which 4 values of each slice this invocation stages.
    let a_row = li / 4u;
    let a_k = (li % 4u) * 4u;
    let c_k = li / 16u;
    let c_col = (li % 16u) * 4u;
    for (var k0 = 0u; k0 < depth; k0 += DEPTH) {
        let av = load_a(batch, row0 + a_row, k0 + a_k);
        a_tile[a_k][a_row] = av.x;
        a_tile[a_k + 1u][a_row] = av.y;
        a_tile[a_k + 2u][a_row] = av.z;
        a_tile[a_k + 3u][a_row] = av.w;
        let cv = load_c(batch, k0 + c_k, col0 + c_col);
        c_tile[c_k][c_col] = cv.x;
        c_tile[c_k][c_col + 1u] = cv.y;
        c_tile[c_k][c_col + 2u] = cv.z;
        c_tile[c_k][c_col + 3u] = cv.w;
        workgroupBarrier();
        for (var kk = 0u; kk < DEPTH; kk++) {
            var ar: array<{{T}}, 4>;
            var cr: array<{{T}}, 4>;
            for (var i = 0u; i < 4u; i++) {
                ar[i] = a_tile[kk][lid.y + 16u * i];
                cr[i] = c_tile[kk][lid.x + 16u * i];
            }
            for (var i = 0u; i < 4u; i++) {
                for (var j = 0u; j < 4u; j++) {
                    acc[i][j] += ar[i] * cr[j];
                }
            }
        }
        workgroupBarrier();
    }
    for (var i = 0u; i < 4u; i++) {
        let row = row0 + lid.y + 16u * i;
        for (var j = 0u; j < 4u; j++) {
            let col = col0 + lid.x + 16u * j;
            if (row < m && col < n) {
                out[(batch * m + row) * n + col] = acc[i][j];
            }
        }
    }
}
