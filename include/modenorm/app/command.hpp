#pragma once
// How subcommands plug into the `modenorm` executable: each command file registers its CLI11
// subcommand and the function that runs it once the command line has been parsed.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace modenorm::app {

// Options every subcommand shares.
struct CommonOptions {
  std::string log_level = "info";
};

// A parsed subcommand, ready to run on every rank. Returns the process exit code.
using CommandAction = std::function<int()>;

// Each registers one subcommand on `app`; when it is the chosen one its action is stored in
// `action`. The options live as long as the App (owned by the returned subcommand's callbacks).
void register_ingest_command(CLI::App& app, CommandAction& action);
void register_scale_command(CLI::App& app, CommandAction& action);
void register_fit_command(CLI::App& app, CommandAction& action);
void register_transform_command(CLI::App& app, CommandAction& action);
void register_inverse_command(CLI::App& app, CommandAction& action);
void register_evaluate_command(CLI::App& app, CommandAction& action);
void register_run_command(CLI::App& app, CommandAction& action);

}  // namespace modenorm::app
