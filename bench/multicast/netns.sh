# Sourced by bench/multicast/run.sh: the multicast test bed of network namespaces (docs/multicast.md). One bridge
# namespace ($NS-b, bridge br0 with multicast snooping off, so every port gets the group's traffic), one sender
# namespace ($NS-s, 10.99.0.1) and receiver namespaces $NS-r1.. (10.99.0.11..), each with eth0 on a veth pair whose
# other end is a port of br0. The pairs are created inside the bridge namespace: the host's own network is never
# touched. Addresses get a broadcast (`brd +`): udpcast's receivers find the sender by it.

NS=${NS:-odmb$$}
NS_RECEIVERS=0

ns_add() { # NAME ADDRESS
  local name=$1 addr=$2
  ip netns add "$NS-$name"
  ip -n "$NS-b" link add "v$name$$" type veth peer name eth0 netns "$NS-$name"
  ip -n "$NS-b" link set "v$name$$" master br0 up
  ip -n "$NS-$name" link set lo up
  ip -n "$NS-$name" addr add "$addr/24" brd + dev eth0
  ip -n "$NS-$name" link set eth0 up
}

# ns_up N: the bridge, the sender and N receivers.
ns_up() {
  ip netns add "$NS-b"
  ip -n "$NS-b" link add br0 type bridge mcast_snooping 0
  ip -n "$NS-b" link set br0 up
  ns_add s 10.99.0.1
  for ((i = 1; i <= $1; i++)); do
    ns_add "r$i" "10.99.0.$((10 + i))"
  done
  NS_RECEIVERS=$1
}

# ns_loss PERCENT: drops PERCENT % of the UDP arriving in every receiver namespace (this kernel has no netem).
ns_loss() {
  for ((i = 1; i <= NS_RECEIVERS; i++)); do
    ip netns exec "$NS-r$i" nft delete table inet loss 2>/dev/null || true
    if (($1 > 0)); then
      ip netns exec "$NS-r$i" nft add table inet loss
      ip netns exec "$NS-r$i" nft add chain inet loss in '{ type filter hook input priority 0; }'
      ip netns exec "$NS-r$i" nft add rule inet loss in meta l4proto udp numgen random mod 100 '<' "$1" drop
    fi
  done
}

ns_down() {
  local n
  for n in $(ip netns list | awk '{print $1}' | grep -E "^$NS-"); do
    ip netns pids "$n" | xargs -r kill -9 2>/dev/null || true
    ip netns del "$n"
  done
}
