// The AssemblyScript JSON codecs of the generated Lesstruct (fixed-offset ABI) and Driftless (wasm-bindgen) bindings, type
// by type, for AssemblyScriptAbiCodecPropertyTests: rt_<type>(ptr, len) reads one value with the generated reader and
// writes it back with the generated writer; it answers the packed output, -1 when the reader rejects the input and -2 when
// the writer refuses the value. host_* drive the fixed-offset host-function wrappers (frames at 4096) against the test's
// imports. Built with --memoryBase 1114112, as a fixed-offset plugin is, so the frames land in memory the module leaves free.
import * as l from "./lesstruct/lesstruct";
import * as d from "./driftless/driftless";

export function alloc(size: usize): usize {
  return heap.alloc(size ? size : 1);
}

export function dealloc(ptr: usize, size: usize): void {
  heap.free(ptr);
}

function answer(w: l.JsonWriter): i64 {
  if (w.error !== null) {
    w.dispose();
    return -2;
  }
  return w.take();
}

function answerD(w: d.JsonWriter): i64 {
  if (w.error !== null) {
    w.dispose();
    return -2;
  }
  return w.take();
}

export function rt_content_item(p: usize, n: usize): i64 {
  const r = new l.JsonReader(p, n);
  const v = l.ContentItem.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new l.JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_plugin_loaded_info(p: usize, n: usize): i64 {
  const r = new l.JsonReader(p, n);
  const v = l.PluginLoadedInfo.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new l.JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_content_hook_result(p: usize, n: usize): i64 {
  const r = new l.JsonReader(p, n);
  const v = l.ContentHookResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new l.JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_host_result_http_response_data(p: usize, n: usize): i64 {
  const r = new l.JsonReader(p, n);
  const v = l.HostResultHttpResponseData.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new l.JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_host_result_db_query_data(p: usize, n: usize): i64 {
  const r = new l.JsonReader(p, n);
  const v = l.HostResultDbQueryData.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new l.JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_host_result_db_exec_data(p: usize, n: usize): i64 {
  const r = new l.JsonReader(p, n);
  const v = l.HostResultDbExecData.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new l.JsonWriter();
  v.writeJson(w);
  return answer(w);
}

export function rt_driftless_task_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessTaskResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_facts_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessFactsResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_value_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessValueResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_log_source_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessLogSourceResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_log_parse_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessLogParseResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_log_filter_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessLogFilterResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_log_output_result(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessLogOutputResult.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_log_entry(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.DriftlessLogEntry.readJson(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  v.writeJson(w);
  return answerD(w);
}

export function rt_driftless_definition_list(p: usize, n: usize): i64 {
  const r = new d.JsonReader(p, n);
  const v = d.readDriftlessDefinitionList(r);
  if (v === null || !r.finish()) return -1;
  const w = new d.JsonWriter();
  d.writeDriftlessDefinitionList(w, v);
  return answerD(w);
}

/** db_exec through the fixed-offset wrapper: rows affected, the host's error code's length + 1000, or the status. */
export function host_db_exec(): i64 {
  const answer = l.dbExec("DELETE FROM \"t\" -- é", new l.RawJson("[1,\"x\"]"));
  if (!answer.ok) return <i64>answer.status;
  const result = answer.value!;
  const data = result.data;
  if (!result.ok || data === null) {
    const e = result.error_;
    return e === null ? -200 : 1000 + <i64>e.code.length;
  }
  return data.rowsAffected;
}

/** http_get through the fixed-offset wrapper: the response's status plus its body's length * 1000, or the status. */
export function host_http_get(): i64 {
  const headers = new Map<string, string>();
  headers.set("a", "b \"c\"");
  const answer = l.httpGet("https://example.test/é", headers);
  if (!answer.ok) return <i64>answer.status;
  const data = answer.value!.data;
  return data === null ? -200 : <i64>data.status + 1000 * <i64>data.body.length;
}
