// The one part of @kubernetes/client-node the bot loads: KubeConfig, the official kubeconfig and credential handling
// (in-cluster service account, kubeconfig files, exec plugins, client certificates, proxies). Its own module, loaded
// on first use, so a bundle takes only what KubeConfig needs (1.8 MB): the generated API clients the package's
// index also exports are 14.5 MB, and loading them was 120 ms of a terminal `check` (issue 11).
export { KubeConfig } from '@kubernetes/client-node';
