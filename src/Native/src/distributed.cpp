// Process groups over PyTorch's c10d: a TCPStore rendezvous plus ProcessGroupGloo collectives.
// Every collective waits with the group's timeout, so a missing or dead peer becomes an error
// return (with a message naming the operation) instead of a hang.
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "common.h"

namespace {

struct ProcessGroupHandle {
  int rank = 0;
  int world_size = 1;
  std::chrono::milliseconds timeout{0};
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

ProcessGroupHandle& PG(tz_process_group pg) {
  if (!pg) tz::fail("the process group handle is null (was it disposed?)");
  return *static_cast<ProcessGroupHandle*>(pg);
}

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "localhost" || address == "::1";
}

// Waits for one collective with the group's timeout and turns every failure into one sentence.
void finish(ProcessGroupHandle& g, const c10::intrusive_ptr<c10d::Work>& work, const char* what) {
  try {
    work->wait(g.timeout);
  } catch (const c10::Error& e) {
    tz::fail(std::string(what) + " failed on rank " + std::to_string(g.rank) + " of " + std::to_string(g.world_size) +
             " (a peer is missing, died, or did not answer within " + std::to_string(g.timeout.count()) +
             " ms): " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    tz::fail(std::string(what) + " failed on rank " + std::to_string(g.rank) + " of " + std::to_string(g.world_size) +
             " (a peer is missing, died, or did not answer within " + std::to_string(g.timeout.count()) +
             " ms): " + e.what());
  }
}

void check_cpu_dense(const at::Tensor& t, const char* what) {
  if (!t.defined()) tz::fail(std::string(what) + ": the tensor is undefined");
  if (!t.device().is_cpu()) tz::fail(std::string(what) + ": the Gloo process group only handles CPU tensors");
  if (!t.is_contiguous()) tz::fail(std::string(what) + ": the tensor must be contiguous");
}

}  // namespace

using namespace tz;

extern "C" {

tz_process_group tz_pg_create(int rank, int world_size, const char* master_address, int port, int64_t timeout_ms) {
  TZ_TRY
  if (world_size < 1) fail("the world size must be at least 1, got " + std::to_string(world_size));
  if (rank < 0 || rank >= world_size)
    fail("the rank must be in [0, " + std::to_string(world_size) + "), got " + std::to_string(rank));
  if (!master_address || !*master_address) fail("the master address is empty");
  if (port < 1 || port > 65535) fail("the master port must be in [1, 65535], got " + std::to_string(port));
  if (timeout_ms <= 0) fail("the timeout must be positive, got " + std::to_string(timeout_ms) + " ms");

  auto handle = std::make_unique<ProcessGroupHandle>();
  handle->rank = rank;
  handle->world_size = world_size;
  handle->timeout = std::chrono::milliseconds(timeout_ms);
  std::string address(master_address);

  c10d::TCPStoreOptions store_options;
  store_options.port = static_cast<std::uint16_t>(port);
  store_options.isServer = rank == 0;
  store_options.numWorkers = static_cast<std::size_t>(world_size);
  // Not waiting for the workers here: the Gloo rendezvous below waits for them with the same timeout (waiting
  // twice would double the time a missing peer takes to report).
  store_options.waitWorkers = false;
  store_options.timeout = handle->timeout;
  try {
    handle->store = c10::make_intrusive<c10d::TCPStore>(address, store_options);
  } catch (const c10::Error& e) {
    fail("rank " + std::to_string(rank) + " could not join the rendezvous at " + address + ":" + std::to_string(port) +
         " within " + std::to_string(timeout_ms) + " ms: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    fail("rank " + std::to_string(rank) + " could not join the rendezvous at " + address + ":" + std::to_string(port) +
         " within " + std::to_string(timeout_ms) + " ms: " + e.what());
  }

  auto options = c10d::ProcessGroupGloo::Options::create(handle->timeout);
  // On loopback every rank is local, so bind Gloo to 127.0.0.1 rather than whatever the hostname resolves to.
  options->devices.push_back(is_loopback(address) ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                                  : c10d::ProcessGroupGloo::createDefaultDevice());
  options->threads = 1;
  try {
    handle->group = c10::make_intrusive<c10d::ProcessGroupGloo>(handle->store, rank, world_size, options);
  } catch (const c10::Error& e) {
    fail("rank " + std::to_string(rank) + " could not connect to its " + std::to_string(world_size - 1) +
         " peer(s) within " + std::to_string(timeout_ms) + " ms: " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    fail("rank " + std::to_string(rank) + " could not connect to its " + std::to_string(world_size - 1) +
         " peer(s) within " + std::to_string(timeout_ms) + " ms: " + e.what());
  }
  return handle.release();
  TZ_CATCH(nullptr)
}

void tz_pg_free(tz_process_group pg) {
  if (!pg) return;
  try {
    delete static_cast<ProcessGroupHandle*>(pg);
  } catch (...) {
    // A destructor that throws (e.g. a peer vanished during shutdown) must not take the process down.
  }
}

int tz_pg_rank(tz_process_group pg) {
  TZ_TRY
  return PG(pg).rank;
  TZ_CATCH(-1)
}

int tz_pg_world_size(tz_process_group pg) {
  TZ_TRY
  return PG(pg).world_size;
  TZ_CATCH(-1)
}

int tz_pg_all_reduce(tz_process_group pg, tz_tensor t, int op) {
  TZ_TRY
  auto& g = PG(pg);
  at::Tensor& x = T(t);
  check_cpu_dense(x, "all_reduce");
  c10d::AllreduceOptions options;
  options.timeout = g.timeout;
  switch (op) {
    case TZ_PG_SUM: case TZ_PG_AVERAGE: options.reduceOp = c10d::ReduceOp::SUM; break;
    case TZ_PG_MAX: options.reduceOp = c10d::ReduceOp::MAX; break;
    case TZ_PG_MIN: options.reduceOp = c10d::ReduceOp::MIN; break;
    case TZ_PG_PRODUCT: options.reduceOp = c10d::ReduceOp::PRODUCT; break;
    default: fail("unknown reduce operation code " + std::to_string(op));
  }
  if (op == TZ_PG_AVERAGE && !at::isFloatingType(x.scalar_type()))
    fail("all_reduce with Average needs a floating-point tensor, got " + std::string(c10::toString(x.scalar_type())));
  std::vector<at::Tensor> tensors{x};
  finish(g, g.group->allreduce(tensors, options), "all_reduce");
  if (op == TZ_PG_AVERAGE && g.world_size > 1) {
    at::NoGradGuard no_grad;
    x.div_(static_cast<double>(g.world_size));
  }
  return 0;
  TZ_CATCH(-1)
}

int tz_pg_broadcast(tz_process_group pg, tz_tensor t, int root) {
  TZ_TRY
  auto& g = PG(pg);
  at::Tensor& x = T(t);
  check_cpu_dense(x, "broadcast");
  if (root < 0 || root >= g.world_size)
    fail("broadcast: the root rank must be in [0, " + std::to_string(g.world_size) + "), got " + std::to_string(root));
  c10d::BroadcastOptions options;
  options.rootRank = root;
  options.rootTensor = 0;
  options.timeout = g.timeout;
  std::vector<at::Tensor> tensors{x};
  finish(g, g.group->broadcast(tensors, options), "broadcast");
  return 0;
  TZ_CATCH(-1)
}

int tz_pg_all_gather(tz_process_group pg, tz_tensor t, tz_tensor* out, int cap) {
  TZ_TRY
  auto& g = PG(pg);
  at::Tensor& x = T(t);
  check_cpu_dense(x, "all_gather");
  if (cap < g.world_size)
    fail("all_gather needs room for " + std::to_string(g.world_size) + " tensors, got " + std::to_string(cap));
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int i = 0; i < g.world_size; ++i) outputs[0].push_back(at::empty_like(x));
  std::vector<at::Tensor> inputs{x};
  c10d::AllgatherOptions options;
  options.timeout = g.timeout;
  finish(g, g.group->allgather(outputs, inputs, options), "all_gather");
  for (int i = 0; i < g.world_size; ++i) out[i] = wrap(outputs[0][static_cast<size_t>(i)]);
  return g.world_size;
  TZ_CATCH(-1)
}

int tz_pg_barrier(tz_process_group pg) {
  TZ_TRY
  auto& g = PG(pg);
  c10d::BarrierOptions options;
  options.timeout = g.timeout;
  finish(g, g.group->barrier(options), "barrier");
  return 0;
  TZ_CATCH(-1)
}

}  // extern "C"
