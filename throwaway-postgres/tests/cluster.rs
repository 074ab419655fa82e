//! The throwaway cluster really starts, answers on its port, and goes away.

use std::net::TcpStream;

use throwaway_postgres::{Cluster, ClusterSettings, Server};

#[test]
fn a_started_cluster_accepts_connections_and_is_gone_after_drop() {
    let Some(_) = Server::shared() else { return };
    let cluster = Cluster::start(&ClusterSettings::default()).expect("cluster starts");
    let port = cluster.port();
    let data = cluster.data_directory();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
    assert!(data.join("PG_VERSION").exists());
    drop(cluster);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    assert!(!data.exists());
}

#[test]
fn the_shared_server_names_databases_uniquely() {
    let Some(server) = Server::shared() else {
        return;
    };
    let first = server.unique_database_name("test");
    let second = server.unique_database_name("test");
    assert_ne!(first, second);
    assert!(server.url(&first).ends_with(&first));
}

#[test]
fn a_stopped_cluster_starts_again_on_the_same_port() {
    let Some(_) = Server::shared() else { return };
    let cluster = Cluster::start(&ClusterSettings::default()).expect("cluster starts");
    let port = cluster.port();
    cluster.stop("immediate").expect("stops");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    cluster.start_again().expect("starts again");
    assert!(TcpStream::connect(("127.0.0.1", port)).is_ok());
}
