// GraphiQL, bundled: the page and its scripts are served from the installed packages, never from a CDN.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const ASSETS: Record<string, { module: string; type: string }> = {
  "react.production.min.js": { module: "react/umd/react.production.min.js", type: "text/javascript; charset=utf-8" },
  "react-dom.production.min.js": {
    module: "react-dom/umd/react-dom.production.min.js",
    type: "text/javascript; charset=utf-8",
  },
  "graphiql.min.js": { module: "graphiql/graphiql.min.js", type: "text/javascript; charset=utf-8" },
  "graphiql.min.css": { module: "graphiql/graphiql.min.css", type: "text/css; charset=utf-8" },
};

const cache = new Map<string, Buffer>();

export function graphiqlAsset(name: string): { body: Buffer; type: string } | null {
  const asset = ASSETS[name];
  if (!asset) return null;
  let body = cache.get(name);
  if (!body) {
    // Through the package's own folder: react's "exports" map hides umd/*, so require.resolve(asset.module) throws.
    const [pkg, ...file] = asset.module.split("/");
    body = readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), ...file));
    cache.set(name, body);
  }
  return { body, type: asset.type };
}

export function graphiqlPage(): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>hpf-hub GraphiQL · 晋城灵活就业住房公积金数据共享平台</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">加载中…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: "/graphql" });
    // No placeholder token: an invalid one would make every request (schema docs included) answer 401.
    const defaultHeaders = "{}";
    const defaultQuery = "# 晋城灵活就业人员住房公积金 · 数据共享平台\\n# 在下方 Headers 中填入 npm start 打印的开发令牌 / put a token printed by npm start in Headers:\\n#   { \\"Authorization\\": \\"Bearer <token>\\" }\\n# then run:\\nquery Parameters {\\n  policyParameters(asOf: \\"2026-11-28\\") { key value unit effectiveFrom }\\n}\\n";
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, { fetcher, defaultHeaders, defaultQuery, headerEditorEnabled: true, shouldPersistHeaders: true })
    );
  </script>
</body>
</html>`;
}
