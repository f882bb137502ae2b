//! The serde codecs of the generated Lesstruct (fixed-offset ABI) and Driftless (wasm-bindgen ABI) Rust bindings, in one
//! module, exported type by type for RustCodecPropertyTests: rt_<type>(ptr, len) reads one value of the type with the
//! generated reader and writes it back with the generated writer. Inputs are allocated with the Driftless bindings'
//! `__wbindgen_malloc`. It answers the packed output, -1 when the reader rejects the input and -2 when the writer refuses
//! the value.

mod driftless;
mod lesstruct;

fn packed(written: Result<Vec<u8>, ()>) -> i64 {
    match written {
        Ok(bytes) => driftless::alloc::give(bytes),
        Err(_) => -2,
    }
}

macro_rules! round_trips {
    ($($name:literal => $module:ident :: $t:ident),* $(,)?) => {
        $(
            const _: () = {
                #[export_name = $name]
                pub extern "C" fn export(ptr: i32, len: i32) -> i64 {
                    // SAFETY: the test host passes a region it wrote with __wbindgen_malloc.
                    let input = unsafe { $module::rt::input(ptr, len) };
                    let value: $module::$t = match $module::rt::read(input, "value") {
                        Ok(value) => value,
                        Err(_) => return -1,
                    };
                    packed($module::rt::write(&value).map_err(|_| ()))
                }
            };
        )*
    };
}

round_trips! {
    "rt_content_item" => lesstruct::ContentItem,
    "rt_content_hook_result" => lesstruct::ContentHookResult,
    "rt_plugin_loaded_info" => lesstruct::PluginLoadedInfo,
    "rt_host_result_http_response_data" => lesstruct::HostResultHttpResponseData,
    "rt_host_result_db_query_data" => lesstruct::HostResultDbQueryData,
    "rt_host_result_db_exec_data" => lesstruct::HostResultDbExecData,
    "rt_driftless_definition" => driftless::DriftlessDefinition,
    "rt_driftless_task_result" => driftless::DriftlessTaskResult,
    "rt_driftless_facts_result" => driftless::DriftlessFactsResult,
    "rt_driftless_value_result" => driftless::DriftlessValueResult,
    "rt_driftless_log_source_result" => driftless::DriftlessLogSourceResult,
    "rt_driftless_log_parse_result" => driftless::DriftlessLogParseResult,
    "rt_driftless_log_filter_result" => driftless::DriftlessLogFilterResult,
    "rt_driftless_log_output_result" => driftless::DriftlessLogOutputResult,
    "rt_driftless_log_entry" => driftless::DriftlessLogEntry,
}
