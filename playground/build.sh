#!/usr/bin/env bash
# Builds the playground: the engine for wasm32 in the `wasm` profile (small), the
# JavaScript glue with wasm-bindgen into dist/pkg, `wasm-opt` if it is installed,
# and the page's files from www/ beside it. dist/ is then a static site.
#
#   rustup target add wasm32-unknown-unknown
#   cargo install wasm-bindgen-cli --version 0.2.130   # = the wasm-bindgen in Cargo.toml
#   bash playground/build.sh && python3 -m http.server -d playground/dist
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
dist="$here/dist"
target="${CARGO_TARGET_DIR:-$root/target}"

want="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' "$here/Cargo.toml")"
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" || true
if [ "$have" != "$want" ]; then
  echo "playground: wasm-bindgen $want is needed (found: ${have:-none});" >&2
  echo "  cargo install wasm-bindgen-cli --version $want" >&2
  exit 1
fi

cargo build --manifest-path "$root/Cargo.toml" -p trickle-playground \
  --target wasm32-unknown-unknown --profile wasm

rm -rf "$dist"
mkdir -p "$dist/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$dist/pkg" \
  "$target/wasm32-unknown-unknown/wasm/trickle_playground.wasm"
wasm="$dist/pkg/trickle_playground_bg.wasm"
if command -v wasm-opt >/dev/null 2>&1; then
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
else
  echo "playground: wasm-opt not found, the wasm is left as wasm-bindgen wrote it"
fi
if [ -d "$here/www" ]; then
  cp -R "$here/www/." "$dist/"
fi
echo "playground: $dist ($(gzip -9c "$wasm" | wc -c) bytes of wasm gzipped)"
