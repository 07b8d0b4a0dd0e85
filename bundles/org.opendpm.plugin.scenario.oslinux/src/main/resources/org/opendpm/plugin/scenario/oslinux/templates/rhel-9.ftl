<#-- OpenDPM answer file template: kickstart for Red Hat Enterprise Linux, Rocky Linux and AlmaLinux 9.
     Rendered per machine with FreeMarker; an unknown variable is an error. Variables: docs/os-installation.md.
     Edit freely: this copy is yours and is never overwritten. -->
# Kickstart for ${machine.name}, made by OpenDPM
text
url --url=${os.sourceUrl}
lang en_US.UTF-8
keyboard --vckeymap=us
timezone Etc/UTC --utc
<#if network.dhcp>
network --bootproto=dhcp --device=link --activate --hostname=${machine.hostname}
<#else>
network --bootproto=static --device=link --ip=${network.address} --netmask=${network.netmask} --gateway=${network.gateway} --nameserver=${network.nameserver} --activate --hostname=${machine.hostname}
</#if>
rootpw --iscrypted ${rootPasswordHash}
selinux --enforcing
firewall --enabled --ssh
ignoredisk --only-use=${disk}
zerombr
clearpart --all --initlabel --drives=${disk}
autopart --type=lvm
bootloader --location=mbr --boot-drive=${disk}
reboot

%packages
@^minimal-environment
java-17-openjdk-headless
wget
%end

%post --log=/root/opendpm-post.log
mkdir -p /opt/opendpm
wget -q -O /opt/opendpm/opendpm-agent.jar ${agent.jarUrl}
cat > /etc/systemd/system/opendpm-agent.service <<'UNIT'
[Unit]
Description=OpenDPM agent
After=network-online.target
[Service]
ExecStart=/usr/bin/java -jar /opt/opendpm/opendpm-agent.jar --server ${agent.server}<#if agent.fingerprint?has_content> --server-fingerprint ${agent.fingerprint}</#if>
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable opendpm-agent.service
<#if builtUrl??>
wget -q -O /dev/null ${builtUrl}
</#if>
%end
