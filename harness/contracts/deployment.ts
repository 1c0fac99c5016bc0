/**
 * How squall deploys an experiment's functions, shared by experiment/ (the default qualifier of
 * a provisioned-concurrency fault), emulator/ (what it creates from an experiment) and target/
 * (which qualifier's spillover to read): each function published as version 1 behind the alias
 * `live`, where its own provisioned concurrency sits and its invokes go.
 */
export const EXPERIMENT_ALIAS = 'live';
/** The version squall publishes each experiment function as (the alias points at it). */
export const EXPERIMENT_VERSION = '1';
