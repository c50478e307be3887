#pragma once
// Runs the real `modenorm` executable (optionally under mpiexec) and captures what it prints,
// so command-line tests check exactly what a user sees: the message and the exit code.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace modenorm::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};

inline std::string shell_quote(const std::string& arg) {
  std::string quoted = "'";
  for (const char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

inline CommandResult run_shell(const std::string& command) {
  struct PipeCloser {
    int* status;
    void operator()(FILE* f) const { *status = pclose(f); }
  };
  int status = -1;
  CommandResult result;
  {
    std::unique_ptr<FILE, PipeCloser> pipe(popen((command + " 2>&1").c_str(), "r"),
                                           PipeCloser{&status});
    if (!pipe) {
      result.output = "popen failed for: " + command;
      return result;
    }
    std::array<char, 4096> buffer{};
    while (const auto got = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) {
      result.output.append(buffer.data(), got);
    }
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// ranks == 0 runs the binary directly (no MPI launcher); otherwise under mpiexec -n ranks.
// `environment` ("NAME=value ...") is set for the command (mpiexec passes it to every rank).
inline CommandResult run_modenorm(int ranks, const std::vector<std::string>& args,
                                  const std::string& environment = "") {
  setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 0);
  setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 0);
  std::string command = environment.empty() ? "" : "env " + environment + " ";
  if (ranks > 0) {
    command += "mpiexec -n " + std::to_string(ranks) + " --oversubscribe ";
  }
  command += shell_quote(MODENORM_BINARY);
  for (const auto& arg : args) {
    command += " " + shell_quote(arg);
  }
  return run_shell(command);
}

}  // namespace modenorm::testing
