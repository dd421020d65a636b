;; Gradient Lab's SIMD cell arithmetic for tfjs-wasm: tanh, the vanilla RNN's per-step passes, the block transpose,
;; the saturated count, clipping by value, and a GEMM that reads its right operand in panels.
;;
;; It imports tfjs-wasm's own memory, so it reads and writes tensors where they live (pointers are byte offsets
;; into that heap, counts are float32 elements). Every value is the one the TypeScript computes (tanhKernel.ts,
;; recurrentKernels.ts, diagnosticKernels.ts, clipKernel.ts) or tf.matMul's (gemm), to the bit:
;;   - tanh is tanhOf's algorithm, operation for operation, in float64 lanes (wasm's f64 arithmetic is IEEE, as
;;     JS's is, with no fused multiply-add), then rounded to float32 as a Float32Array store rounds;
;;   - a float32 sum or product here is Math.fround of the float64 one there (a float64 result of two float32
;;     operands rounds to float32 as the float32 operation does).
;; simdCells.test.ts checks both against the TypeScript. Assembled by scripts/buildSimdCells.ts into
;; cellsBinary.ts; a test assembles it again and compares.
(module
  (import "env" "memory" (memory 0))

  ;; out[i] = tanh(x[i]) for i < n (out may be x): tanhOf (tanhKernel.ts) in float64 lanes, four values a turn in
  ;; two interleaved chains (one chain at a time waits on each operation's latency: 6 ns a value, against 3 to 4).
  ;; $table holds, for i = 0 .. 2 * 879, the pair (2^(k/32), 2^(k/32) - 1) with k = i - 879, 16 bytes at
  ;; $table + 16 i. A last turn of fewer than four values reads and writes only those.
  (func $tanh (export "tanh") (param $x i32) (param $out i32) (param $n i32) (param $table i32)
    (local $left i32) (local $v v128)
    (local $xl v128) (local $xh v128) (local $yl v128) (local $yh v128) (local $il v128) (local $ih v128)
    (local $kl v128) (local $kh v128) (local $rl v128) (local $rh v128) (local $pl v128) (local $ph v128)
    (local $al v128) (local $bl v128) (local $ah v128) (local $bh v128) (local $el v128) (local $eh v128)
    (local $tl v128) (local $th v128) (local $ix v128)
    (local.set $left (local.get $n))
    (block $done
      (loop $turn
        (br_if $done (i32.le_s (local.get $left) (i32.const 0)))
        (if (i32.ge_s (local.get $left) (i32.const 4))
          (then (local.set $v (v128.load (local.get $x))))
          (else (local.set $v (call $loadFew (local.get $x) (local.get $left)))))
        ;; lanes 0, 1 (l) and 2, 3 (h) in float64
        (local.set $xl (f64x2.promote_low_f32x4 (local.get $v)))
        (local.set $xh
          (f64x2.promote_low_f32x4
            (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))))
        ;; y = min(max(x + x, -19), 19), as pmin and pmax (one instruction each; NaN and -0 come through as from Math)
        (local.set $yl
          (f64x2.pmin
            (f64x2.pmax (f64x2.add (local.get $xl) (local.get $xl)) (v128.const f64x2 -19 -19))
            (v128.const f64x2 19 19)))
        (local.set $yh
          (f64x2.pmin
            (f64x2.pmax (f64x2.add (local.get $xh) (local.get $xh)) (v128.const f64x2 -19 -19))
            (v128.const f64x2 19 19)))
        ;; k = round(y * 32 / ln 2): adding 1.5 * 2^52 rounds to an integer, whose low 32 bits are k
        (local.set $il
          (f64x2.add
            (f64x2.mul (local.get $yl) (v128.const f64x2 46.16624130844683 46.16624130844683))
            (v128.const f64x2 6755399441055744 6755399441055744)))
        (local.set $ih
          (f64x2.add
            (f64x2.mul (local.get $yh) (v128.const f64x2 46.16624130844683 46.16624130844683))
            (v128.const f64x2 6755399441055744 6755399441055744)))
        (local.set $kl (f64x2.sub (local.get $il) (v128.const f64x2 6755399441055744 6755399441055744)))
        (local.set $kh (f64x2.sub (local.get $ih) (v128.const f64x2 6755399441055744 6755399441055744)))
        ;; the table's index k + 879 of the four lanes, kept inside the table (a NaN's payload is no index)
        (local.set $ix
          (i32x4.shl
            (i32x4.min_s
              (i32x4.max_s
                (i32x4.add
                  (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $il) (local.get $ih))
                  (v128.const i32x4 879 879 879 879))
                (v128.const i32x4 0 0 0 0))
              (v128.const i32x4 1758 1758 1758 1758))
            (i32.const 4)))
        ;; r = y - k * STEP_HI - k * STEP_LO
        (local.set $rl
          (f64x2.sub
            (f64x2.sub
              (local.get $yl)
              (f64x2.mul (local.get $kl) (v128.const f64x2 0.021660849452018738 0.021660849452018738)))
            (f64x2.mul (local.get $kl) (v128.const f64x2 -5.952044759838238e-11 -5.952044759838238e-11))))
        (local.set $rh
          (f64x2.sub
            (f64x2.sub
              (local.get $yh)
              (f64x2.mul (local.get $kh) (v128.const f64x2 0.021660849452018738 0.021660849452018738)))
            (f64x2.mul (local.get $kh) (v128.const f64x2 -5.952044759838238e-11 -5.952044759838238e-11))))
        ;; expm1(r) = r * (1 + r * (1/2 + r * (1/6 + r * (1/24 + r * (1/120 + r / 720)))))
        (local.set $pl (f64x2.mul (local.get $rl) (v128.const f64x2 0.001388888888888889 0.001388888888888889)))
        (local.set $ph (f64x2.mul (local.get $rh) (v128.const f64x2 0.001388888888888889 0.001388888888888889)))
        (local.set $pl (f64x2.mul (local.get $rl)
          (f64x2.add (v128.const f64x2 0.008333333333333333 0.008333333333333333) (local.get $pl))))
        (local.set $ph (f64x2.mul (local.get $rh)
          (f64x2.add (v128.const f64x2 0.008333333333333333 0.008333333333333333) (local.get $ph))))
        (local.set $pl (f64x2.mul (local.get $rl)
          (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (local.get $pl))))
        (local.set $ph (f64x2.mul (local.get $rh)
          (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (local.get $ph))))
        (local.set $pl (f64x2.mul (local.get $rl)
          (f64x2.add (v128.const f64x2 0.16666666666666666 0.16666666666666666) (local.get $pl))))
        (local.set $ph (f64x2.mul (local.get $rh)
          (f64x2.add (v128.const f64x2 0.16666666666666666 0.16666666666666666) (local.get $ph))))
        (local.set $pl (f64x2.mul (local.get $rl) (f64x2.add (v128.const f64x2 0.5 0.5) (local.get $pl))))
        (local.set $ph (f64x2.mul (local.get $rh) (f64x2.add (v128.const f64x2 0.5 0.5) (local.get $ph))))
        (local.set $pl (f64x2.mul (local.get $rl) (f64x2.add (v128.const f64x2 1 1) (local.get $pl))))
        (local.set $ph (f64x2.mul (local.get $rh) (f64x2.add (v128.const f64x2 1 1) (local.get $ph))))
        ;; the table's pair (pow, powM1) of each lane
        (local.set $al
          (v128.load (i32.add (local.get $table) (i32x4.extract_lane 0 (local.get $ix)))))
        (local.set $bl
          (v128.load (i32.add (local.get $table) (i32x4.extract_lane 1 (local.get $ix)))))
        (local.set $ah
          (v128.load (i32.add (local.get $table) (i32x4.extract_lane 2 (local.get $ix)))))
        (local.set $bh
          (v128.load (i32.add (local.get $table) (i32x4.extract_lane 3 (local.get $ix)))))
        ;; e = pow * expm1(r) + powM1
        (local.set $el
          (f64x2.add
            (f64x2.mul
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $al) (local.get $bl))
              (local.get $pl))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $al) (local.get $bl))))
        (local.set $eh
          (f64x2.add
            (f64x2.mul
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $ah) (local.get $bh))
              (local.get $ph))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $ah) (local.get $bh))))
        ;; t = e / (e + 2); a zero t gives x itself, so tanh(-0) is -0
        (local.set $tl (f64x2.div (local.get $el) (f64x2.add (local.get $el) (v128.const f64x2 2 2))))
        (local.set $th (f64x2.div (local.get $eh) (f64x2.add (local.get $eh) (v128.const f64x2 2 2))))
        (local.set $tl
          (v128.bitselect (local.get $xl) (local.get $tl) (f64x2.eq (local.get $tl) (v128.const f64x2 0 0))))
        (local.set $th
          (v128.bitselect (local.get $xh) (local.get $th) (f64x2.eq (local.get $th) (v128.const f64x2 0 0))))
        ;; rounded to float32, the four lanes together again
        (local.set $v
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero (local.get $tl))
            (f32x4.demote_f64x2_zero (local.get $th))))
        (if (i32.ge_s (local.get $left) (i32.const 4))
          (then (v128.store (local.get $out) (local.get $v)))
          (else (call $storeFew (local.get $out) (local.get $v) (local.get $left))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (local.set $left (i32.sub (local.get $left) (i32.const 4)))
        (br $turn))))

  ;; The first $count (1 to 3) float32 at $at, the other lanes 0.
  (func $loadFew (param $at i32) (param $count i32) (result v128)
    (local $v v128)
    (local.set $v (f32x4.replace_lane 0 (local.get $v) (f32.load (local.get $at))))
    (if (i32.ge_s (local.get $count) (i32.const 2))
      (then (local.set $v (f32x4.replace_lane 1 (local.get $v) (f32.load offset=4 (local.get $at))))))
    (if (i32.ge_s (local.get $count) (i32.const 3))
      (then (local.set $v (f32x4.replace_lane 2 (local.get $v) (f32.load offset=8 (local.get $at))))))
    (local.get $v))

  ;; The first $count (1 to 3) lanes of $v to $at, and nothing past them.
  (func $storeFew (param $at i32) (param $v v128) (param $count i32)
    (f32.store (local.get $at) (f32x4.extract_lane 0 (local.get $v)))
    (if (i32.ge_s (local.get $count) (i32.const 2))
      (then (f32.store offset=4 (local.get $at) (f32x4.extract_lane 1 (local.get $v)))))
    (if (i32.ge_s (local.get $count) (i32.const 3))
      (then (f32.store offset=8 (local.get $at) (f32x4.extract_lane 2 (local.get $v))))))

  ;; One forward step of the vanilla RNN, rows of width $g: out = tanh(((xw + bih) + bhh) + rec), the sum
  ;; rounded to float32 after each addition; without rec ($hasRec 0, step 0 where h_0 = 0) the last sum is left out.
  ;; The sums are written to out, then tanh runs over them there.
  (func (export "rnnStep")
    (param $xw i32) (param $bih i32) (param $bhh i32) (param $rec i32) (param $hasRec i32) (param $out i32)
    (param $rows i32) (param $g i32) (param $table i32)
    (local $row i32) (local $k i32) (local $g4 i32) (local $at i32) (local $z v128) (local $s f32)
    (local.set $g4 (i32.and (local.get $g) (i32.const -4)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $row) (local.get $rows)))
        (local.set $k (i32.const 0))
        (block $fourDone
          (loop $four
            (br_if $fourDone (i32.ge_u (local.get $k) (local.get $g4)))
            ;; byte offset of (row, k)
            (local.set $at (i32.shl (i32.add (i32.mul (local.get $row) (local.get $g)) (local.get $k)) (i32.const 2)))
            (local.set $z
              (f32x4.add
                (f32x4.add
                  (v128.load (i32.add (local.get $xw) (local.get $at)))
                  (v128.load (i32.add (local.get $bih) (i32.shl (local.get $k) (i32.const 2)))))
                (v128.load (i32.add (local.get $bhh) (i32.shl (local.get $k) (i32.const 2))))))
            (if (local.get $hasRec)
              (then
                (local.set $z (f32x4.add (local.get $z) (v128.load (i32.add (local.get $rec) (local.get $at)))))))
            (v128.store (i32.add (local.get $out) (local.get $at)) (local.get $z))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $four)))
        (block $oneDone
          (loop $one
            (br_if $oneDone (i32.ge_u (local.get $k) (local.get $g)))
            (local.set $at (i32.shl (i32.add (i32.mul (local.get $row) (local.get $g)) (local.get $k)) (i32.const 2)))
            (local.set $s
              (f32.add
                (f32.add
                  (f32.load (i32.add (local.get $xw) (local.get $at)))
                  (f32.load (i32.add (local.get $bih) (i32.shl (local.get $k) (i32.const 2)))))
                (f32.load (i32.add (local.get $bhh) (i32.shl (local.get $k) (i32.const 2))))))
            (if (local.get $hasRec)
              (then
                (local.set $s (f32.add (local.get $s) (f32.load (i32.add (local.get $rec) (local.get $at)))))))
            (f32.store (i32.add (local.get $out) (local.get $at)) (local.get $s))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $one)))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rowLoop)))
    ;; then tanh over the rows in place, while they are in cache
    (call $tanh (local.get $out) (local.get $out) (i32.mul (local.get $rows) (local.get $g)) (local.get $table)))

  ;; dz = dh (1 - h^2) over n values, each product and difference rounded to float32
  (func (export "tanhGrad") (param $dh i32) (param $h i32) (param $dz i32) (param $n i32)
    (local $end i32) (local $end4 i32) (local $v v128) (local $s f32)
    (local.set $end (i32.add (local.get $dz) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $dz) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $dz) (local.get $end4)))
        (local.set $v (v128.load (local.get $h)))
        (v128.store (local.get $dz)
          (f32x4.mul
            (v128.load (local.get $dh))
            (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $v) (local.get $v)))))
        (local.set $dh (i32.add (local.get $dh) (i32.const 16)))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (local.set $dz (i32.add (local.get $dz) (i32.const 16)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $dz) (local.get $end)))
        (local.set $s (f32.load (local.get $h)))
        (f32.store (local.get $dz)
          (f32.mul (f32.load (local.get $dh)) (f32.sub (f32.const 1) (f32.mul (local.get $s) (local.get $s)))))
        (local.set $dh (i32.add (local.get $dh) (i32.const 4)))
        (local.set $h (i32.add (local.get $h) (i32.const 4)))
        (local.set $dz (i32.add (local.get $dz) (i32.const 4)))
        (br $one))))

  ;; Clipping by value as tfjs-wasm's clipByValue (XNNPACK's clamp) does it: out = min(max(x, lo), hi) with
  ;; max(x, lo) = x > lo ? x : lo and min(y, hi) = y < hi ? y : hi, so a NaN becomes lo (pmax and pmin are exactly
  ;; these). Returns how many x are below lo or above hi (a NaN is neither), as clipKernel.ts counts them.
  (func (export "clipValue") (param $x i32) (param $out i32) (param $n i32) (param $lo f32) (param $hi f32)
    (result i32)
    (local $end i32) (local $end4 i32) (local $v v128) (local $los v128) (local $his v128) (local $count v128)
    (local $s f32) (local $total i32)
    (local.set $los (f32x4.splat (local.get $lo)))
    (local.set $his (f32x4.splat (local.get $hi)))
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $x) (local.get $end4)))
        (local.set $v (v128.load (local.get $x)))
        (local.set $count
          (i32x4.sub (local.get $count)
            (v128.or (f32x4.lt (local.get $v) (local.get $los)) (f32x4.gt (local.get $v) (local.get $his)))))
        (v128.store (local.get $out) (f32x4.pmin (local.get $his) (f32x4.pmax (local.get $los) (local.get $v))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $four)))
    (local.set $total
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $count)) (i32x4.extract_lane 1 (local.get $count)))
        (i32.add (i32x4.extract_lane 2 (local.get $count)) (i32x4.extract_lane 3 (local.get $count)))))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $s (f32.load (local.get $x)))
        (local.set $total
          (i32.add (local.get $total)
            (i32.or (f32.lt (local.get $s) (local.get $lo)) (f32.gt (local.get $s) (local.get $hi)))))
        (local.set $s (select (local.get $s) (local.get $lo) (f32.gt (local.get $s) (local.get $lo))))
        (f32.store (local.get $out) (select (local.get $s) (local.get $hi) (f32.lt (local.get $s) (local.get $hi))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $one)))
    (local.get $total))

  ;; How many of n float32 have |x| above the float32 whose bits are $limit (>= 0), counted on the bits as
  ;; diagnosticKernels.ts counts them: |x|'s bits above $limit's; -1 if any x is NaN (its bits above infinity's).
  (func (export "countAbove") (param $x i32) (param $n i32) (param $limit i32) (result i32)
    (local $end i32) (local $end4 i32) (local $count v128) (local $nans v128) (local $m v128) (local $bits i32)
    (local $total i32) (local $nan i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end4 (i32.add (local.get $x) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $x) (local.get $end4)))
        (local.set $m (v128.and (v128.load (local.get $x)) (v128.const i32x4 0x7fffffff 0x7fffffff 0x7fffffff 0x7fffffff)))
        ;; a true comparison is -1 in its lane: subtracting it counts
        (local.set $count (i32x4.sub (local.get $count) (i32x4.gt_s (local.get $m) (i32x4.splat (local.get $limit)))))
        (local.set $nans
          (v128.or (local.get $nans)
            (i32x4.gt_s (local.get $m) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $four)))
    (local.set $total
      (i32.add
        (i32.add (i32x4.extract_lane 0 (local.get $count)) (i32x4.extract_lane 1 (local.get $count)))
        (i32.add (i32x4.extract_lane 2 (local.get $count)) (i32x4.extract_lane 3 (local.get $count)))))
    (local.set $nan (v128.any_true (local.get $nans)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $bits (i32.and (i32.load (local.get $x)) (i32.const 0x7fffffff)))
        (local.set $total (i32.add (local.get $total) (i32.gt_s (local.get $bits) (local.get $limit))))
        (local.set $nan (i32.or (local.get $nan) (i32.gt_s (local.get $bits) (i32.const 0x7f800000))))
        (local.set $x (i32.add (local.get $x) (i32.const 4)))
        (br $one)))
    (select (i32.const -1) (local.get $total) (local.get $nan)))

  ;; C [m, n] = A [m, k] x B, with B laid out as n / 8 panels of [k, 8] (toPanels) and m a multiple of 4: a 4 x 8 tile of C
  ;; in eight accumulators, each C value summed over k in order from 0 (so the bits of XNNPACK's f32 GEMM, which
  ;; tfjs-wasm's matMul runs: simdCells.test.ts compares them), with no packing of B on each call: the backward
  ;; kernel writes B in panels as it forms it (XNNPACK packs a product's right operand on every call, more than the
  ;; product itself for the RNN's weight gradients, a probe).
  (func (export "gemm") (param $a i32) (param $m i32) (param $k i32) (param $b i32) (param $n i32) (param $c i32)
    (local $i i32) (local $p i32) (local $pa i32) (local $pb i32) (local $rowBytes i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $b0 v128) (local $b1 v128)
    (local $c0a v128) (local $c0b v128) (local $c1a v128) (local $c1b v128)
    (local $c2a v128) (local $c2b v128) (local $c3a v128) (local $c3b v128) (local $pc i32) (local $end i32)
    (local $pa1 i32) (local $pa2 i32) (local $pa3 i32)
    (local.set $rowBytes (i32.shl (local.get $k) (i32.const 2)))
    (block $iDone (loop $iLoop
      (br_if $iDone (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $p (i32.const 0))
      (block $pDone (loop $pLoop
        (br_if $pDone (i32.ge_u (i32.shl (local.get $p) (i32.const 3)) (local.get $n)))
        (local.set $c0a (v128.const i32x4 0 0 0 0)) (local.set $c0b (v128.const i32x4 0 0 0 0))
        (local.set $c1a (v128.const i32x4 0 0 0 0)) (local.set $c1b (v128.const i32x4 0 0 0 0))
        (local.set $c2a (v128.const i32x4 0 0 0 0)) (local.set $c2b (v128.const i32x4 0 0 0 0))
        (local.set $c3a (v128.const i32x4 0 0 0 0)) (local.set $c3b (v128.const i32x4 0 0 0 0))
        (local.set $pa (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $rowBytes))))
        (local.set $pb (i32.add (local.get $b) (i32.shl (i32.mul (local.get $p) (local.get $k)) (i32.const 5))))
        (local.set $end (i32.add (local.get $pa) (local.get $rowBytes)))
        ;; the four rows' pointers, each moved on by a value a turn
        (local.set $pa1 (i32.add (local.get $pa) (local.get $rowBytes)))
        (local.set $pa2 (i32.add (local.get $pa1) (local.get $rowBytes)))
        (local.set $pa3 (i32.add (local.get $pa2) (local.get $rowBytes)))
        (block $kDone (loop $kLoop
          (br_if $kDone (i32.ge_u (local.get $pa) (local.get $end)))
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $x0 (f32x4.splat (f32.load (local.get $pa))))
          (local.set $x1 (f32x4.splat (f32.load (local.get $pa1))))
          (local.set $x2 (f32x4.splat (f32.load (local.get $pa2))))
          (local.set $x3 (f32x4.splat (f32.load (local.get $pa3))))
          (local.set $c0a (f32x4.add (local.get $c0a) (f32x4.mul (local.get $x0) (local.get $b0))))
          (local.set $c0b (f32x4.add (local.get $c0b) (f32x4.mul (local.get $x0) (local.get $b1))))
          (local.set $c1a (f32x4.add (local.get $c1a) (f32x4.mul (local.get $x1) (local.get $b0))))
          (local.set $c1b (f32x4.add (local.get $c1b) (f32x4.mul (local.get $x1) (local.get $b1))))
          (local.set $c2a (f32x4.add (local.get $c2a) (f32x4.mul (local.get $x2) (local.get $b0))))
          (local.set $c2b (f32x4.add (local.get $c2b) (f32x4.mul (local.get $x2) (local.get $b1))))
          (local.set $c3a (f32x4.add (local.get $c3a) (f32x4.mul (local.get $x3) (local.get $b0))))
          (local.set $c3b (f32x4.add (local.get $c3b) (f32x4.mul (local.get $x3) (local.get $b1))))
          (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
          (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
          (local.set $pa2 (i32.add (local.get $pa2) (i32.const 4)))
          (local.set $pa3 (i32.add (local.get $pa3) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
          (br $kLoop)))
        ;; C[i..i+3][8p..8p+7]
        (local.set $pc (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (i32.shl (local.get $p) (i32.const 3))) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c0a))
        (v128.store offset=16 (local.get $pc) (local.get $c0b))
        (local.set $pc (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c1a))
        (v128.store offset=16 (local.get $pc) (local.get $c1b))
        (local.set $pc (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c2a))
        (v128.store offset=16 (local.get $pc) (local.get $c2b))
        (local.set $pc (i32.add (local.get $pc) (i32.shl (local.get $n) (i32.const 2))))
        (v128.store (local.get $pc) (local.get $c3a))
        (v128.store offset=16 (local.get $pc) (local.get $c3b))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pLoop)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iLoop))))

  ;; Rows r0 .. r0 + rows of m [*, g] into the panels of $dst: value (r, j) to $dst + 4 ((p k + r) 8 + j - 8 p) for
  ;; p = j / 8, k = $k rows in all (gemm's B). A last panel past g keeps its zeros.
  (func (export "toPanels") (param $m i32) (param $r0 i32) (param $rows i32) (param $g i32) (param $dst i32) (param $k i32)
    (local $r i32) (local $end i32) (local $j i32) (local $g8 i32) (local $from i32) (local $to i32)
    (local.set $g8 (i32.and (local.get $g) (i32.const -8)))
    (local.set $r (local.get $r0))
    (local.set $end (i32.add (local.get $r0) (local.get $rows)))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $end)))
        (local.set $from (i32.add (local.get $m) (i32.shl (i32.mul (local.get $r) (local.get $g)) (i32.const 2))))
        ;; panel 0's row r, then one panel (k rows of 8 values) further for each next 8 values
        (local.set $to (i32.add (local.get $dst) (i32.shl (local.get $r) (i32.const 5))))
        (local.set $j (i32.const 0))
        (block $fullDone
          (loop $full
            (br_if $fullDone (i32.ge_u (local.get $j) (local.get $g8)))
            (v128.store (local.get $to) (v128.load (local.get $from)))
            (v128.store offset=16 (local.get $to) (v128.load offset=16 (local.get $from)))
            (local.set $from (i32.add (local.get $from) (i32.const 32)))
            (local.set $to (i32.add (local.get $to) (i32.shl (local.get $k) (i32.const 5))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $full)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $j) (local.get $g)))
            (f32.store (local.get $to) (f32.load (local.get $from)))
            (local.set $from (i32.add (local.get $from) (i32.const 4)))
            (local.set $to (i32.add (local.get $to) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowLoop))))

  ;; Rows r0 .. r0 + rows of m [*, g] into columns r0 .. r0 + rows of mT [g, $stride]: one step's block,
  ;; transposed, in 4 x 4 tiles (four loads, eight shuffles, four stores), the edges one value at a time.
  (func (export "transposeBlock")
    (param $m i32) (param $r0 i32) (param $rows i32) (param $g i32) (param $mT i32) (param $stride i32)
    (local $b i32) (local $k i32) (local $rows4 i32) (local $g4 i32) (local $from i32) (local $to i32)
    (local $rowBytes i32) (local $colBytes i32)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $rows4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $g4 (i32.and (local.get $g) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $g) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $stride) (i32.const 2)))
    (block $tilesDone
      (loop $tileRows
        (br_if $tilesDone (i32.ge_u (local.get $b) (local.get $rows4)))
        (local.set $k (i32.const 0))
        (block $colsDone
          (loop $tileCols
            (br_if $colsDone (i32.ge_u (local.get $k) (local.get $g4)))
            ;; m[(r0 + b + q) g + k ..], q = 0 .. 3
            (local.set $from
              (i32.add (local.get $m)
                (i32.shl
                  (i32.add (i32.mul (i32.add (local.get $r0) (local.get $b)) (local.get $g)) (local.get $k))
                  (i32.const 2))))
            (local.set $v0 (v128.load (local.get $from)))
            (local.set $v1 (v128.load (i32.add (local.get $from) (local.get $rowBytes))))
            (local.set $v2 (v128.load (i32.add (local.get $from) (i32.shl (local.get $rowBytes) (i32.const 1)))))
            (local.set $v3
              (v128.load (i32.add (local.get $from) (i32.mul (local.get $rowBytes) (i32.const 3)))))
            ;; t0 = (v0[0] v1[0] v0[1] v1[1]), t1 = (v0[2] v1[2] v0[3] v1[3]), t2 and t3 the same of v2, v3
            (local.set $t0
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v0) (local.get $v1)))
            (local.set $t1
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v0) (local.get $v1)))
            (local.set $t2
              (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $v2) (local.get $v3)))
            (local.set $t3
              (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $v2) (local.get $v3)))
            ;; mT[(k + q) stride + r0 + b ..] = column k + q of the four rows
            (local.set $to
              (i32.add (local.get $mT)
                (i32.shl
                  (i32.add (i32.mul (local.get $k) (local.get $stride)) (i32.add (local.get $r0) (local.get $b)))
                  (i32.const 2))))
            (v128.store (local.get $to)
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $to) (local.get $colBytes))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
            (v128.store (i32.add (local.get $to) (i32.shl (local.get $colBytes) (i32.const 1)))
              (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
            (v128.store (i32.add (local.get $to) (i32.mul (local.get $colBytes) (i32.const 3)))
              (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $tileCols)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $tileRows)))
    ;; the columns past the last whole tile, for the tiled rows; then every column of the rows past them
    (call $transposeEdge (local.get $m) (local.get $r0) (i32.const 0) (local.get $rows4) (local.get $g4)
      (local.get $g) (local.get $mT) (local.get $stride))
    (call $transposeEdge (local.get $m) (local.get $r0) (local.get $rows4) (local.get $rows) (i32.const 0)
      (local.get $g) (local.get $mT) (local.get $stride)))

  ;; mT[k stride + r0 + b] = m[(r0 + b) g + k] for b in [b0, b1), k in [k0, g)
  (func $transposeEdge
    (param $m i32) (param $r0 i32) (param $b0 i32) (param $b1 i32) (param $k0 i32) (param $g i32)
    (param $mT i32) (param $stride i32)
    (local $b i32) (local $k i32)
    (local.set $b (local.get $b0))
    (block $rowsDone
      (loop $rowLoop
        (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $b1)))
        (local.set $k (local.get $k0))
        (block $colsDone
          (loop $colLoop
            (br_if $colsDone (i32.ge_u (local.get $k) (local.get $g)))
            (f32.store
              (i32.add (local.get $mT)
                (i32.shl
                  (i32.add (i32.mul (local.get $k) (local.get $stride)) (i32.add (local.get $r0) (local.get $b)))
                  (i32.const 2)))
              (f32.load
                (i32.add (local.get $m)
                  (i32.shl
                    (i32.add (i32.mul (i32.add (local.get $r0) (local.get $b)) (local.get $g)) (local.get $k))
                    (i32.const 2)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $colLoop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $rowLoop)))))
